import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { CreateTableCommand, DynamoDBClient, type AttributeDefinition, type GlobalSecondaryIndex } from '@aws-sdk/client-dynamodb';
import { ChangeMessageVisibilityCommand, CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSRecord } from 'aws-lambda';
import { interceptLocalhostDns, startFauxqs } from 'fauxqs';
import { tableEnv, tables, queueEnv, type TableName } from '#infra/topology/index.ts';
import { createLambdaContext } from '#infra/local/invoke.ts';

/**
 * Emulators for Netcore tests: dynalite with the Netcore tables and `cursors` created from the
 * topology, fauxqs with the transcripts queue, and the environment variables the functions read.
 * Modules that import `#platform/aws.ts` must be imported after {@link startNetcoreEmulators}.
 */
/** Tables and queue of one test, named with its own prefix; the env variables point at them. */
export interface NetcoreResources {
  readonly tables: { readonly usage: string; readonly users: string; readonly transcripts: string; readonly cursors: string; readonly quarantine: string };
  /** Every item of the shared quarantine table. */
  quarantined(): Promise<Record<string, unknown>[]>;
  readonly queueUrl: string;
  /** Receives up to ten messages now in the queue, as Lambda would hand them over. */
  receive(): Promise<SQSRecord[]>;
  /** Deletes a received message (what Lambda does for a record not reported as failed). */
  delete(record: SQSRecord): Promise<void>;
  /** Makes a received message visible again at once (a failed record, retried without waiting). */
  release(record: SQSRecord): Promise<void>;
  /** Messages waiting in the queue, in flight included. */
  depth(): number;
}

export interface NetcoreEmulators {
  /** Creates the Netcore tables, `cursors` and the transcripts queue under `prefix`, and sets the env. */
  provision(prefix: string): Promise<NetcoreResources>;
  stop(): Promise<void>;
}

/** The part of dynalite's API used here; imported by a computed name because it ships no types. */
interface DynaliteServer {
  listen(port: number, host: string, cb: () => void): void;
  address(): unknown;
  close(cb: () => void): void;
}
type Dynalite = (opts: { createTableMs: number }) => DynaliteServer;

const NETCORE_TABLES: TableName[] = ['netcore-usage', 'netcore-users', 'netcore-transcripts', 'cursors', 'quarantine'];

export async function startNetcoreEmulators(): Promise<NetcoreEmulators> {
  const mod = 'dynalite';
  const dynalite = ((await import(mod)) as { default: Dynalite }).default;
  const dyn = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => dyn.listen(0, '127.0.0.1', () => resolve()));
  const dynPort = (dyn.address() as { port: number }).port;
  const fq = await startFauxqs({ port: 0, logger: false });
  // fauxqs names queues http://sqs.<region>.localhost:<port>/...; make such names resolve to loopback.
  const restoreDns = interceptLocalhostDns();
  const sqsEndpoint = `http://sqs.us-east-1.localhost:${fq.port}`;
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${dynPort}`,
    AWS_ENDPOINT_URL_SQS: sqsEndpoint,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const ddb = new DynamoDBClient({ endpoint: `http://127.0.0.1:${dynPort}`, region: 'us-east-1', credentials });
  const sqs = new SQSClient({ endpoint: sqsEndpoint, region: 'us-east-1', credentials });

  async function provision(prefix: string): Promise<NetcoreResources> {
    const names: Record<string, string> = {};
    for (const name of NETCORE_TABLES) {
      const decl = tables[name] as { partitionKey: string; sortKey?: string; indexes?: readonly { name: string; partitionKey: string; sortKey?: string }[] };
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
      names[name] = physical;
    }
    const q = await sqs.send(new CreateQueueCommand({ QueueName: `${prefix}-netcore-transcripts`, Attributes: { VisibilityTimeout: '60' } }));
    const queueUrl = q.QueueUrl ?? '';
    process.env[queueEnv('netcore-transcripts')] = queueUrl;
    const queueName = `${prefix}-netcore-transcripts`;
    return {
      tables: {
        usage: names['netcore-usage'] ?? '',
        users: names['netcore-users'] ?? '',
        transcripts: names['netcore-transcripts'] ?? '',
        cursors: names.cursors ?? '',
        quarantine: names.quarantine ?? '',
      },
      async quarantined() {
        const out = await DynamoDBDocumentClient.from(ddb).send(new ScanCommand({ TableName: names.quarantine ?? '' }));
        return out.Items ?? [];
      },
      queueUrl,
      async receive() {
        const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
        return (out.Messages ?? []).map(
          (m): SQSRecord => ({
            messageId: m.MessageId ?? '',
            receiptHandle: m.ReceiptHandle ?? '',
            body: m.Body ?? '',
            attributes: {} as SQSRecord['attributes'],
            messageAttributes: {},
            md5OfBody: m.MD5OfBody ?? '',
            eventSource: 'aws:sqs',
            eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${queueName}`,
            awsRegion: 'us-east-1',
          }),
        );
      },
      async delete(record) {
        await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: record.receiptHandle }));
      },
      async release(record) {
        await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: record.receiptHandle, VisibilityTimeout: 0 }));
      },
      depth() {
        const q2 = fq.inspectQueue(queueName);
        return q2 ? q2.messages.ready.length + q2.messages.delayed.length + q2.messages.inflight.length : 0;
      },
    };
  }

  return {
    provision,
    async stop() {
      sqs.destroy();
      ddb.destroy();
      await fq.stop();
      restoreDns();
      await new Promise<void>((resolve) => dyn.close(() => resolve()));
    },
  };
}

/** A Lambda context whose remaining time is what `remaining()` says. */
export function fakeContext(remaining: () => number = () => 60_000, name = 'netcore-test'): Context {
  return createLambdaContext(name, remaining);
}
