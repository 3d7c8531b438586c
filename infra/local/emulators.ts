import { SHARE_ENV, Worker } from 'node:worker_threads';
import { BatchWriteItemCommand, CreateTableCommand, DeleteTableCommand, DescribeTableCommand, DynamoDBClient, ScanCommand, UpdateTimeToLiveCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient, SetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { EmulatorWorkerData, EmulatorWorkerReply } from './emulator-worker.ts';
import type { QueueDecl, QueueName, TableDecl, TableName } from '#infra/topology/index.ts';
import { queues, tables, visibilityTimeoutSeconds } from '#infra/topology/index.ts';

/** Local stand-ins for DynamoDB and SQS, on loopback. */
export interface Emulators {
  readonly dynamoEndpoint: string;
  readonly sqsEndpoint: string;
  readonly dynamoPort: number;
  readonly sqsPort: number;
  readonly dynamo: DynamoDBClient;
  readonly sqs: SQSClient;
  /** Messages that were in flight when the last process on `sqsPath` died, made visible at start. */
  readonly releasedInFlight: number;
  stop(): Promise<void>;
}

export interface EmulatorOptions {
  /** Folder for dynalite's LevelDB files; undefined keeps data in memory. */
  readonly dynamoPath?: string;
  /** Folder for fauxqs' SQLite file (queues and messages); undefined keeps them in memory. */
  readonly sqsPath?: string;
  readonly dynamoPort?: number;
  readonly sqsPort?: number;
}

/** Dummy credentials: the emulators check none, the SDK wants some. */
export const LOCAL_AWS_ENV = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
} as const;

/**
 * Starts dynalite and fauxqs (each kept on disk when given a path), both on 127.0.0.1 only, each in a
 * worker thread of this process (see `emulator-worker.ts`: on two cores the emulators' own work no
 * longer waits behind the functions', and a kill of this process still ends them).
 */
export async function startEmulators(opts: EmulatorOptions): Promise<Emulators> {
  const started = await Promise.allSettled([
    emulatorWorker({ kind: 'dynamodb', ...(opts.dynamoPath ? { path: opts.dynamoPath } : {}), ...(opts.dynamoPort ? { port: opts.dynamoPort } : {}) }),
    emulatorWorker({ kind: 'sqs', ...(opts.sqsPath ? { path: opts.sqsPath } : {}), ...(opts.sqsPort ? { port: opts.sqsPort } : {}) }),
  ]);
  const [dyn, fq] = started;
  if (dyn.status === 'rejected' || fq.status === 'rejected') {
    // One started and the other did not (a port in use, a locked file): stop the one, report the other.
    await Promise.all(started.map((s) => (s.status === 'fulfilled' ? s.value.stop() : undefined)));
    throw (dyn.status === 'rejected' ? dyn.reason : (fq as PromiseRejectedResult).reason) as Error;
  }
  const credentials = { accessKeyId: LOCAL_AWS_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: LOCAL_AWS_ENV.AWS_SECRET_ACCESS_KEY };
  const dynamoEndpoint = `http://127.0.0.1:${dyn.value.port}`;
  const sqsEndpoint = `http://127.0.0.1:${fq.value.port}`;
  return {
    dynamoEndpoint,
    sqsEndpoint,
    dynamoPort: dyn.value.port,
    sqsPort: fq.value.port,
    dynamo: new DynamoDBClient({ endpoint: dynamoEndpoint, region: LOCAL_AWS_ENV.AWS_REGION, credentials }),
    sqs: new SQSClient({ endpoint: sqsEndpoint, region: LOCAL_AWS_ENV.AWS_REGION, credentials, useQueueUrlAsEndpoint: false }),
    releasedInFlight: fq.value.released,
    async stop() {
      await Promise.all([fq.value.stop(), dyn.value.stop()]);
    },
  };
}

/** The thread name of each emulator's worker (at most 15 characters, the kernel's limit). */
export const EMULATOR_THREADS = { dynamodb: 'dynalite', sqs: 'fauxqs' } as const;

/** A worker serving one emulator: resolves once it listens (its port), rejects with its start error. */
async function emulatorWorker(data: EmulatorWorkerData): Promise<{ port: number; released: number; stop(): Promise<void> }> {
  // Named, so the OS thread is too (`/proc/<pid>/task/*/comm`): the drain bench counts CPU per emulator by it.
  const worker = new Worker(new URL('./emulator-worker.ts', import.meta.url), { workerData: data, env: SHARE_ENV, name: EMULATOR_THREADS[data.kind] });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const reply = await new Promise<EmulatorWorkerReply>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the ${data.kind} emulator's worker exited (${code}) before it listened`)));
  });
  if ('error' in reply) {
    await exited;
    throw new Error(`the ${data.kind} emulator did not start: ${reply.error}`);
  }
  return {
    port: reply.port,
    released: reply.released,
    async stop() {
      worker.postMessage('stop');
      // Bounded: a worker that does not close in time is ended.
      const timer = setTimeout(() => void worker.terminate(), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Local physical name of a table or queue. */
export const localName = (name: string): string => `switchboard-${name}`;

/** Which declared tables or queues to create, and what to call them (tests). */
export interface CreateOptions<N extends string> {
  /** Only these declarations. @default every declared one */
  readonly only?: readonly N[];
  /** Physical name of a logical table or queue (a queue's DLQ is `<name>-dlq` through it). @default localName */
  readonly name?: (logical: string) => string;
}

/**
 * Whether a table of that name is there to keep. A table being deleted is not: dynalite, like
 * DynamoDB, answers DescribeTable with `DELETING` for a while and keeps the old items until the
 * deletion completes, so "create the missing tables" right after a DeleteTable waits for it to go
 * (at most 30 s) and then creates it empty, instead of keeping the doomed one.
 */
async function tableStays(client: DynamoDBClient, tableName: string): Promise<boolean> {
  const until = Date.now() + 30_000;
  for (;;) {
    try {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
      if (Table?.TableStatus !== 'DELETING') return true;
    } catch (err) {
      if ((err as Error).name === 'ResourceNotFoundException') return false;
      throw err;
    }
    if (Date.now() > until) throw new Error(`Table ${tableName} is still being deleted after 30 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Creates the declared tables that do not exist yet, with the same keys and indexes as on AWS. */
export async function createTables<N extends TableName = TableName>(client: DynamoDBClient, opts: CreateOptions<N> = {}): Promise<Record<N, string>> {
  const physical = opts.name ?? localName;
  const names = {} as Record<N, string>;
  const wanted = opts.only ?? (Object.keys(tables) as N[]);
  for (const [name, decl] of wanted.map((n) => [n, tables[n]] as [N, TableDecl])) {
    const tableName = physical(name);
    names[name] = tableName;
    if (await tableStays(client, tableName)) {
      // A data folder made before an index was declared: dynalite cannot add one, so the table is rebuilt.
      const kept = await itemsIfIndexMissing(client, tableName, decl);
      if (!kept) continue;
      await client.send(new DeleteTableCommand({ TableName: tableName }));
      await tableStays(client, tableName);
      await createTable(client, tableName, decl);
      for (let i = 0; i < kept.length; i += 25) await client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: kept.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
      continue;
    }
    await createTable(client, tableName, decl);
  }
  return names;
}

/** Every item of a local table that lacks an index the topology declares (undefined when it has them all). */
async function itemsIfIndexMissing(client: DynamoDBClient, tableName: string, decl: TableDecl): Promise<Record<string, AttributeValue>[] | undefined> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  const have = new Set((Table?.GlobalSecondaryIndexes ?? []).map((ix) => ix.IndexName));
  if ((decl.indexes ?? []).every((ix) => have.has(ix.name))) return undefined;
  const items: Record<string, AttributeValue>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

async function createTable(client: DynamoDBClient, tableName: string, decl: TableDecl): Promise<void> {
  {
    const keyAttrs = new Set<string>([decl.partitionKey, ...(decl.sortKey ? [decl.sortKey] : [])]);
    for (const ix of decl.indexes ?? []) {
      keyAttrs.add(ix.partitionKey);
      if (ix.sortKey) keyAttrs.add(ix.sortKey);
    }
    const numbers = new Set<string>(decl.numberAttributes ?? []);
    const keySchema = (pk: string, sk?: string) => [
      { AttributeName: pk, KeyType: 'HASH' as const },
      ...(sk ? [{ AttributeName: sk, KeyType: 'RANGE' as const }] : []),
    ];
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [...keyAttrs].map((a) => ({ AttributeName: a, AttributeType: numbers.has(a) ? 'N' : 'S' })),
        KeySchema: keySchema(decl.partitionKey, decl.sortKey),
        ...(decl.indexes?.length
          ? {
              GlobalSecondaryIndexes: decl.indexes.map((ix) => ({
                IndexName: ix.name,
                KeySchema: keySchema(ix.partitionKey, ix.sortKey),
                Projection: { ProjectionType: ix.projection === 'keys' ? ('KEYS_ONLY' as const) : ('ALL' as const) },
              })),
            }
          : {}),
      }),
    );
    if (decl.ttlAttribute) {
      await client
        .send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { Enabled: true, AttributeName: decl.ttlAttribute } }))
        .catch(() => undefined); // dynalite may not implement TTL; expiry is not relied on locally.
    }
  }
}

export interface LocalQueue {
  readonly name: string;
  readonly url: string;
  readonly dlqName: string;
  readonly dlqUrl: string;
  readonly visibilityTimeoutSeconds: number;
  readonly maxReceiveCount: number;
}

/** Messages in a queue or its DLQ: visible, in flight and delayed (what "empty" has to mean for a drain). */
export async function queueDepth(sqs: SQSClient, queue: LocalQueue, which: 'queue' | 'dlq' = 'queue'): Promise<number> {
  const out = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: which === 'queue' ? queue.url : queue.dlqUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
    }),
  );
  const a = out.Attributes ?? {};
  return Number(a.ApproximateNumberOfMessages ?? 0) + Number(a.ApproximateNumberOfMessagesNotVisible ?? 0) + Number(a.ApproximateNumberOfMessagesDelayed ?? 0);
}

/**
 * Creates the declared queues with their DLQs and redrive policies. `visibilityOverrideSeconds`
 * shortens the visibility timeout (tests), everything else is as on AWS.
 */
export async function createQueues<N extends QueueName = QueueName>(
  client: SQSClient,
  visibilityOverrideSeconds?: number,
  opts: CreateOptions<N> = {},
): Promise<Record<N, LocalQueue>> {
  const physical = opts.name ?? localName;
  const out = {} as Record<N, LocalQueue>;
  const wanted = opts.only ?? (Object.keys(queues) as N[]);
  for (const [name, decl] of wanted.map((n) => [n, queues[n]] as [N, QueueDecl])) {
    const dlqName = physical(`${name}-dlq`);
    const dlqUrl = await ensureQueue(client, dlqName, { MessageRetentionPeriod: String((decl.dlqRetentionDays ?? 14) * 86400) });
    const arn = await client.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }));
    const visibility = visibilityOverrideSeconds ?? visibilityTimeoutSeconds(name);
    const maxReceiveCount = decl.maxReceiveCount ?? 5;
    const url = await ensureQueue(client, physical(name), {
      VisibilityTimeout: String(visibility),
      MessageRetentionPeriod: String((decl.retentionDays ?? 4) * 86400),
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn.Attributes?.QueueArn, maxReceiveCount }),
    });
    out[name] = { name, url, dlqName, dlqUrl, visibilityTimeoutSeconds: visibility, maxReceiveCount };
  }
  return out;
}

/**
 * Creates each subscription's delivery queue (`outbound-<id>`) with its DLQ, declared once for all in
 * `SUBSCRIPTION_QUEUE`; the visibility timeout is 6x the delivery function's timeout unless overridden.
 */
export async function createSubscriptionQueues(
  client: SQSClient,
  ids: readonly string[],
  decl: QueueDecl & { readonly maxReceiveCount: number },
  visibilitySeconds: number,
  opts: Pick<CreateOptions<string>, 'name'> = {},
): Promise<Record<string, LocalQueue>> {
  const physical = opts.name ?? localName;
  const out: Record<string, LocalQueue> = {};
  for (const id of ids) {
    const name = `outbound-${id}`;
    const dlqName = physical(`${name}-dlq`);
    const dlqUrl = await ensureQueue(client, dlqName, { MessageRetentionPeriod: String((decl.dlqRetentionDays ?? 14) * 86400) });
    const arn = await client.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }));
    const url = await ensureQueue(client, physical(name), {
      VisibilityTimeout: String(visibilitySeconds),
      MessageRetentionPeriod: String((decl.retentionDays ?? 4) * 86400),
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn.Attributes?.QueueArn, maxReceiveCount: decl.maxReceiveCount }),
    });
    out[id] = { name, url, dlqName, dlqUrl, visibilityTimeoutSeconds: visibilitySeconds, maxReceiveCount: decl.maxReceiveCount };
  }
  return out;
}

/**
 * Creates a queue, or, when one of that name is kept from an earlier run with other attributes (a
 * changed topology, a test's shorter visibility), gives it the declared ones: its messages stay.
 */
async function ensureQueue(client: SQSClient, name: string, attributes: Record<string, string>): Promise<string> {
  try {
    return (await client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl ?? '';
  } catch (err) {
    if (!['QueueNameExists', 'QueueAlreadyExists'].includes((err as Error).name)) throw err;
    const url = (await client.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl ?? '';
    await client.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: attributes }));
    return url;
  }
}
