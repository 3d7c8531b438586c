import { CreateTableCommand, DynamoDBClient, type AttributeDefinition, type GlobalSecondaryIndex } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSRecord } from 'aws-lambda';
import { startFauxqs } from 'fauxqs';
import { tableEnv, tables, queueEnv, type TableName } from '#infra/topology.ts';

/**
 * Emulators for Netcore tests: dynalite with the Netcore tables and `cursors` created from the
 * topology, fauxqs with the transcripts queue, and the environment variables the functions read.
 * Modules that import `#adapters/aws.ts` must be imported after {@link startNetcoreEmulators}.
 */
export interface NetcoreEmulators {
  readonly queueUrl: string;
  readonly sqs: SQSClient;
  /** Receives up to `max` messages currently in the queue (they stay in flight until deleted). */
  receive(max?: number): Promise<{ records: SQSRecord[]; receipts: Map<string, string> }>;
  delete(receipt: string): Promise<void>;
  stop(): Promise<void>;
}

/** The part of dynalite's API used here; imported by a computed name because it ships no types. */
interface DynaliteServer {
  listen(port: number, host: string, cb: () => void): void;
  address(): unknown;
  close(cb: () => void): void;
}
type Dynalite = (opts: { createTableMs: number }) => DynaliteServer;

const NETCORE_TABLES: TableName[] = ['netcore-usage', 'netcore-users', 'netcore-transcripts', 'cursors'];

export async function startNetcoreEmulators(prefix = `t${Date.now().toString(36)}`): Promise<NetcoreEmulators> {
  const mod = 'dynalite';
  const dynalite = ((await import(mod)) as { default: Dynalite }).default;
  const dyn = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => dyn.listen(0, '127.0.0.1', () => resolve()));
  const dynPort = (dyn.address() as { port: number }).port;
  const fq = await startFauxqs({ port: 0, logger: false });
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${dynPort}`,
    AWS_ENDPOINT_URL_SQS: `http://127.0.0.1:${fq.port}`,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  const ddb = new DynamoDBClient({ endpoint: `http://127.0.0.1:${dynPort}`, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  for (const name of NETCORE_TABLES) {
    const decl = tables[name] as (typeof tables)[TableName] & { sortKey?: string; indexes?: readonly { name: string; partitionKey: string; sortKey?: string }[] };
    const physical = `${prefix}-${name}`;
    const attrs = new Set<string>([decl.partitionKey, ...(decl.sortKey ? [decl.sortKey] : [])]);
    for (const i of decl.indexes ?? []) [i.partitionKey, i.sortKey].forEach((a) => a && attrs.add(a));
    const gsis: GlobalSecondaryIndex[] = (decl.indexes ?? []).map((i) => ({
      IndexName: i.name,
      KeySchema: [{ AttributeName: i.partitionKey, KeyType: 'HASH' }, ...(i.sortKey ? [{ AttributeName: i.sortKey, KeyType: 'RANGE' as const }] : [])],
      Projection: { ProjectionType: 'ALL' },
    }));
    await ddb.send(
      new CreateTableCommand({
        TableName: physical,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [...attrs].map((a): AttributeDefinition => ({ AttributeName: a, AttributeType: 'S' })),
        KeySchema: [{ AttributeName: decl.partitionKey, KeyType: 'HASH' }, ...(decl.sortKey ? [{ AttributeName: decl.sortKey, KeyType: 'RANGE' as const }] : [])],
        GlobalSecondaryIndexes: gsis.length ? gsis : undefined,
      }),
    );
    process.env[tableEnv(name)] = physical;
  }
  ddb.destroy();
  const sqs = new SQSClient({ endpoint: `http://127.0.0.1:${fq.port}`, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const q = await sqs.send(new CreateQueueCommand({ QueueName: `${prefix}-netcore-transcripts`, Attributes: { VisibilityTimeout: '30' } }));
  const queueUrl = q.QueueUrl ?? '';
  process.env[queueEnv('netcore-transcripts')] = queueUrl;

  return {
    queueUrl,
    sqs,
    async receive(max = 10) {
      const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: Math.min(10, max), WaitTimeSeconds: 0 }));
      const receipts = new Map<string, string>();
      const records = (out.Messages ?? []).map((m): SQSRecord => {
        receipts.set(m.MessageId ?? '', m.ReceiptHandle ?? '');
        return {
          messageId: m.MessageId ?? '',
          receiptHandle: m.ReceiptHandle ?? '',
          body: m.Body ?? '',
          attributes: {} as SQSRecord['attributes'],
          messageAttributes: {},
          md5OfBody: m.MD5OfBody ?? '',
          eventSource: 'aws:sqs',
          eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:netcore-transcripts',
          awsRegion: 'us-east-1',
        };
      });
      return { records, receipts };
    },
    async delete(receipt) {
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: receipt }));
    },
    async stop() {
      sqs.destroy();
      await fq.stop();
      await new Promise<void>((resolve) => dyn.close(() => resolve()));
    },
  };
}

/** A Lambda context whose remaining time is what `remaining()` says. */
export function fakeContext(remaining: () => number = () => 60_000, name = 'netcore-test'): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
    memoryLimitInMB: '512',
    awsRequestId: `req-${Math.random().toString(36).slice(2)}`,
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: remaining,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
