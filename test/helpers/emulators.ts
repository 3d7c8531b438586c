import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { ChangeMessageVisibilityCommand, DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import type { LocalQueue } from '#infra/local/emulators.ts';
import { LOCAL_AWS_ENV, createQueues, createTables, localName, queueDepth, startEmulators } from '#infra/local/emulators.ts';
import type { QueueName, TableName } from '#infra/topology/index.ts';
import { queueEnv, tableEnv } from '#infra/topology/index.ts';
import { startEventRouter } from '#infra/local/event-router.ts';

/**
 * The one way tests start local AWS: the local runtime's own emulators (`startEmulators`: dynalite
 * and fauxqs `buildApp`, both on 127.0.0.1, random ports), the declared tables and queues created
 * from the topology (`createTables` / `createQueues`: same keys, indexes, DLQs and redrive policies
 * as on AWS), and the environment the function code reads. fauxqs names queues
 * `http://sqs.<region>.localhost:<port>/...`; every client here sends to the endpoint instead
 * (`useQueueUrlAsEndpoint: false`, as `#platform/aws.ts` does when `AWS_ENDPOINT_URL_SQS` is set), so
 * no DNS interception is needed. Both emulators listen on 127.0.0.1 only.
 */
export interface TestAwsOptions<T extends TableName = never, Q extends QueueName = never> {
  /** Declared tables to create. @default none */
  readonly tables?: readonly T[];
  /** Declared queues to create, each with its DLQ. @default none */
  readonly queues?: readonly Q[];
  /** Physical name of a table or queue. @default localName (`switchboard-<name>`, as the hub names them) */
  readonly name?: (logical: string) => string;
  /** Visibility timeout of the queues. @default the topology's (6x the consumer's timeout) */
  readonly visibilityTimeoutSeconds?: number;
}

/** What one {@link TestAws.provision} created. */
export interface Provisioned<T extends TableName, Q extends QueueName> {
  /** Physical table names. */
  readonly tables: Readonly<Record<T, string>>;
  readonly queues: Readonly<Record<Q, LocalQueue>>;
}

export interface TestAws<T extends TableName = never, Q extends QueueName = never> extends Provisioned<T, Q> {
  readonly dynamoEndpoint: string;
  readonly sqsEndpoint: string;
  /** Raw and document clients on dynalite, an SQS client on fauxqs (closed by {@link stop}). */
  readonly dynamo: DynamoDBClient;
  readonly doc: DynamoDBDocumentClient;
  readonly sqs: SQSClient;
  /**
   * The variables set in `process.env` (region, dummy credentials, `AWS_ENDPOINT_URL_DYNAMODB`,
   * `AWS_ENDPOINT_URL_SQS`, and `TABLE_*` / `QUEUE_URL_*` of what was provisioned). Modules that build
   * AWS clients at import (`#platform/aws.ts`) must be imported after the harness starts.
   */
  readonly env: Readonly<Record<string, string>>;
  /** PutEvents requests and entries the test event bus answered. */
  readonly published: { readonly requests: number; readonly entries: number };
  /**
   * Creates more tables and queues (under other names, say one prefix per test) and points the
   * environment at them; later lookups ({@link tableName}, {@link queue}) find the latest.
   */
  provision<T2 extends TableName = never, Q2 extends QueueName = never>(opts: TestAwsOptions<T2, Q2>): Promise<Provisioned<T2, Q2>>;
  /** Physical name of a provisioned table; throws if it was not provisioned. */
  tableName(table: TableName): string;
  /** A provisioned queue; throws if it was not provisioned. */
  queue(name: QueueName): LocalQueue;
  /** Every item of a provisioned table (document form; small test tables only). */
  scan(table: TableName): Promise<Record<string, unknown>[]>;
  /** Receives up to `max` messages of a queue now (no wait), as records of a Lambda SQS event. */
  receive(name: QueueName, max?: number): Promise<SQSRecord[]>;
  /** Deletes a received record (what Lambda does with one not reported as failed). */
  delete(name: QueueName, record: SQSRecord): Promise<void>;
  /** Makes a received record visible again at once (a failure retried without waiting). */
  release(name: QueueName, record: SQSRecord): Promise<void>;
  /** Visible + in-flight + delayed messages of a queue or its DLQ. */
  depth(name: QueueName, which?: 'queue' | 'dlq'): Promise<number>;
  /** Stops both emulators and puts back the environment variables it changed. Idempotent. */
  stop(): Promise<void>;
}

/** Starts local AWS for one test file and provisions `opts.tables` / `opts.queues`. */
export async function startTestAws<T extends TableName = never, Q extends QueueName = never>(opts: TestAwsOptions<T, Q> = {}): Promise<TestAws<T, Q>> {
  const emulators = await startEmulators({});
  const previous = new Map<string, string | undefined>();
  const env: Record<string, string> = {};
  const setEnv = (vars: Record<string, string>) => {
    for (const [k, v] of Object.entries(vars)) {
      if (!previous.has(k)) previous.set(k, process.env[k]);
      process.env[k] = v;
      env[k] = v;
    }
  };
  // The event bus as the local runtime has it, with no subscription: publishers' PutEvents are answered (and counted).
  const bus = await startEventRouter({ busName: 'switchboard-test-events', targets: [], sqs: emulators.sqs });
  setEnv({
    ...LOCAL_AWS_ENV,
    AWS_ENDPOINT_URL_DYNAMODB: emulators.dynamoEndpoint,
    AWS_ENDPOINT_URL_SQS: emulators.sqsEndpoint,
    AWS_ENDPOINT_URL_EVENTBRIDGE: bus.url,
    HUB_EVENT_BUS: 'switchboard-test-events',
  });
  const doc = DynamoDBDocumentClient.from(emulators.dynamo, { marshallOptions: { removeUndefinedValues: true } });
  const tableNames = new Map<TableName, string>();
  const localQueues = new Map<QueueName, LocalQueue>();

  async function provision<T2 extends TableName = never, Q2 extends QueueName = never>(o: TestAwsOptions<T2, Q2>): Promise<Provisioned<T2, Q2>> {
    const name = o.name ?? localName;
    const created = {
      tables: o.tables?.length ? await createTables(emulators.dynamo, { only: o.tables, name }) : ({} as Record<T2, string>),
      queues: o.queues?.length ? await createQueues(emulators.sqs, o.visibilityTimeoutSeconds, { only: o.queues, name }) : ({} as Record<Q2, LocalQueue>),
    };
    for (const [t, physical] of Object.entries(created.tables) as [T2, string][]) {
      tableNames.set(t, physical);
      setEnv({ [tableEnv(t)]: physical });
    }
    for (const [q, local] of Object.entries(created.queues) as [Q2, LocalQueue][]) {
      localQueues.set(q, local);
      setEnv({ [queueEnv(q)]: local.url });
    }
    return created;
  }

  const tableName = (table: TableName): string => {
    const physical = tableNames.get(table);
    if (!physical) throw new Error(`table ${table} was not provisioned`);
    return physical;
  };
  const queue = (name: QueueName): LocalQueue => {
    const q = localQueues.get(name);
    if (!q) throw new Error(`queue ${name} was not provisioned`);
    return q;
  };
  const first = await provision(opts);
  let stopped = false;
  return {
    ...first,
    dynamoEndpoint: emulators.dynamoEndpoint,
    sqsEndpoint: emulators.sqsEndpoint,
    dynamo: emulators.dynamo,
    doc,
    sqs: emulators.sqs,
    env,
    provision,
    tableName,
    queue,
    async scan(table) {
      const items: Record<string, unknown>[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const out = await doc.send(new ScanCommand({ TableName: tableName(table), ExclusiveStartKey: start, ConsistentRead: true }));
        items.push(...(out.Items ?? []));
        start = out.LastEvaluatedKey;
      } while (start);
      return items;
    },
    async receive(name, max = 10) {
      const q = queue(name);
      const out = await emulators.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: q.url, MaxNumberOfMessages: max, WaitTimeSeconds: 0, MessageSystemAttributeNames: ['All'], MessageAttributeNames: ['All'] }),
      );
      const arn = `arn:aws:sqs:${LOCAL_AWS_ENV.AWS_REGION}:000000000000:${q.url.split('/').pop() ?? name}`;
      return (out.Messages ?? []).map((m): SQSRecord => {
        const a = m.Attributes ?? {};
        return {
          messageId: m.MessageId ?? randomUUID(),
          receiptHandle: m.ReceiptHandle ?? '',
          body: m.Body ?? '',
          attributes: {
            ApproximateReceiveCount: a.ApproximateReceiveCount ?? '1',
            SentTimestamp: a.SentTimestamp ?? '0',
            SenderId: a.SenderId ?? 'local',
            ApproximateFirstReceiveTimestamp: a.ApproximateFirstReceiveTimestamp ?? '0',
          },
          messageAttributes: {},
          md5OfBody: m.MD5OfBody ?? '',
          eventSource: 'aws:sqs',
          eventSourceARN: arn,
          awsRegion: LOCAL_AWS_ENV.AWS_REGION,
        };
      });
    },
    async delete(name, record) {
      await emulators.sqs.send(new DeleteMessageCommand({ QueueUrl: queue(name).url, ReceiptHandle: record.receiptHandle }));
    },
    async release(name, record) {
      await emulators.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queue(name).url, ReceiptHandle: record.receiptHandle, VisibilityTimeout: 0 }));
    },
    depth: (name, which = 'queue') => queueDepth(emulators.sqs, queue(name), which),
    published: bus.counts,
    async stop() {
      if (stopped) return;
      stopped = true;
      await bus.stop();
      emulators.dynamo.destroy();
      emulators.sqs.destroy();
      await emulators.stop();
      for (const [k, v] of previous) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    },
  };
}
