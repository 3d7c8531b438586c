import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AttributeDefinition, GlobalSecondaryIndex } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { interceptLocalhostDns, startFauxqs } from 'fauxqs';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { TableDecl } from '#infra/topology/index.ts';
import { queueEnv, tableEnv, tables } from '#infra/topology/index.ts';
import type { QueueName, TableName } from '#infra/topology/index.ts';
import { createLambdaContext } from '#infra/local/invoke.ts';

/**
 * Real local AWS for the Goodays integration tests: dynalite (DynamoDB) and fauxqs (SQS) on random
 * loopback ports, tables and queues created from the topology declarations, and the environment
 * variables the functions read. Set before any module that builds an AWS client is imported.
 */
export interface Harness {
  readonly ddb: DynamoDBClient;
  readonly sqs: SQSClient;
  queueUrl(name: QueueName): string;
  /** Receives up to `max` messages of a queue as a Lambda SQS event (with receive counts). */
  receive(name: QueueName, max?: number): Promise<SQSEvent>;
  /** Deletes the records that did not fail, as Lambda's event source mapping does. */
  settle(name: QueueName, event: SQSEvent, failures: readonly { itemIdentifier: string }[]): Promise<void>;
  stop(): Promise<void>;
}

interface DynaliteServer {
  listen(port: number, host: string, cb: () => void): void;
  address(): AddressInfo | string | null;
  close(cb: () => void): void;
}

export async function startHarness(tableNames: readonly TableName[], queueNames: readonly QueueName[]): Promise<Harness> {
  // dynalite ships no types; the specifier is a variable so the import needs no declaration file.
  const specifier = 'dynalite';
  const dynaliteModule = (await import(specifier)) as { default: (o: { createTableMs: number }) => DynaliteServer };
  const dyn = dynaliteModule.default({ createTableMs: 0 });
  await new Promise<void>((resolve) => dyn.listen(0, '127.0.0.1', () => resolve()));
  const ddbPort = (dyn.address() as AddressInfo).port;
  const fq = await startFauxqs({ port: 0, logger: false });
  // fauxqs queue URLs are on `sqs.<region>.localhost`; the SDK sends to the queue URL's host.
  const restoreDns = interceptLocalhostDns();
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${ddbPort}`,
    AWS_ENDPOINT_URL_SQS: `http://127.0.0.1:${fq.port}`,
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  const ddb = new DynamoDBClient({ endpoint: `http://127.0.0.1:${ddbPort}` });
  const sqs = new SQSClient({ endpoint: `http://127.0.0.1:${fq.port}` });
  for (const name of tableNames) {
    await ddb.send(new CreateTableCommand(createTableInput(name, tables[name])));
    process.env[tableEnv(name)] = name;
  }
  const urls = new Map<QueueName, string>();
  for (const name of queueNames) {
    const out = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: '0' } }));
    if (!out.QueueUrl) throw new Error(`fauxqs gave no URL for ${name}`);
    urls.set(name, out.QueueUrl);
    process.env[queueEnv(name)] = out.QueueUrl;
  }
  const queueUrl = (name: QueueName): string => {
    const url = urls.get(name);
    if (!url) throw new Error(`queue ${name} not created`);
    return url;
  };
  const receipts = new Map<string, string>();
  return {
    ddb,
    sqs,
    queueUrl,
    async receive(name, max = 10) {
      const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl(name), MaxNumberOfMessages: max, MessageSystemAttributeNames: ['ApproximateReceiveCount'], WaitTimeSeconds: 0 }));
      const records: SQSRecord[] = (out.Messages ?? []).map((m) => {
        const messageId = m.MessageId ?? randomUUID();
        if (m.ReceiptHandle) receipts.set(messageId, m.ReceiptHandle);
        return {
          messageId,
          receiptHandle: m.ReceiptHandle ?? '',
          body: m.Body ?? '',
          attributes: { ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1', SentTimestamp: '0', SenderId: 'local', ApproximateFirstReceiveTimestamp: '0' },
          messageAttributes: {},
          md5OfBody: m.MD5OfBody ?? '',
          eventSource: 'aws:sqs',
          eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${name}`,
          awsRegion: 'us-east-1',
        };
      });
      return { Records: records };
    },
    async settle(name, event, failures) {
      const failed = new Set(failures.map((f) => f.itemIdentifier));
      for (const r of event.Records) {
        if (failed.has(r.messageId)) continue;
        const handle = receipts.get(r.messageId);
        if (handle) await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl(name), ReceiptHandle: handle }));
      }
    },
    async stop() {
      ddb.destroy();
      sqs.destroy();
      await fq.stop();
      restoreDns();
      await new Promise<void>((resolve) => dyn.close(() => resolve()));
    },
  };
}

function createTableInput(name: string, decl: TableDecl) {
  const attrs = new Set<string>([decl.partitionKey]);
  if (decl.sortKey) attrs.add(decl.sortKey);
  for (const ix of decl.indexes ?? []) {
    attrs.add(ix.partitionKey);
    if (ix.sortKey) attrs.add(ix.sortKey);
  }
  const AttributeDefinitions: AttributeDefinition[] = [...attrs].map((a) => ({ AttributeName: a, AttributeType: decl.numberAttributes?.includes(a) ? 'N' : 'S' }));
  const GlobalSecondaryIndexes: GlobalSecondaryIndex[] | undefined = decl.indexes?.map((ix) => ({
    IndexName: ix.name,
    KeySchema: [{ AttributeName: ix.partitionKey, KeyType: 'HASH' }, ...(ix.sortKey ? [{ AttributeName: ix.sortKey, KeyType: 'RANGE' as const }] : [])],
    Projection: { ProjectionType: 'ALL' },
    ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
  }));
  return {
    TableName: name,
    AttributeDefinitions,
    KeySchema: [{ AttributeName: decl.partitionKey, KeyType: 'HASH' as const }, ...(decl.sortKey ? [{ AttributeName: decl.sortKey, KeyType: 'RANGE' as const }] : [])],
    GlobalSecondaryIndexes,
    ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
  };
}

/** An API Gateway HTTP API (payload v2) event. */
export function httpEvent(o: {
  method: string;
  /** Route key path, e.g. `/goodays/responses/{id}`. */
  route: string;
  /** Actual path; defaults to the route with path parameters filled in. */
  path?: string;
  pathParameters?: Record<string, string>;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  body?: string | Buffer;
  base64?: boolean;
}): APIGatewayProxyEventV2 {
  const params = o.pathParameters ?? {};
  const rawPath = o.path ?? o.route.replace(/\{(\w+)\}/g, (_, k: string) => encodeURIComponent(params[k] ?? ''));
  const isBase64Encoded = o.base64 ?? Buffer.isBuffer(o.body);
  const body = o.body === undefined ? undefined : Buffer.isBuffer(o.body) ? o.body.toString('base64') : isBase64Encoded ? Buffer.from(o.body, 'utf8').toString('base64') : o.body;
  const headers = Object.fromEntries(Object.entries(o.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    version: '2.0',
    routeKey: `${o.method} ${o.route}`,
    rawPath,
    rawQueryString: new URLSearchParams(o.query ?? {}).toString(),
    headers,
    queryStringParameters: o.query,
    pathParameters: o.pathParameters,
    body,
    isBase64Encoded,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method: o.method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
      requestId: randomUUID(),
      routeKey: `${o.method} ${o.route}`,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
  };
}

/** A Lambda context with a time budget. */
export function lambdaContext(budgetMs = 30_000, name = 'test'): Context {
  const end = Date.now() + budgetMs;
  return createLambdaContext(name, () => Math.max(0, end - Date.now()));
}

/** The shape of a Lambda HTTP handler as middy exports it. */
export type HttpLambda = (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>;

/**
 * A minimal loopback "API Gateway" for tests that need the hub reachable over HTTP (a sandbox sending
 * webhooks): each request becomes a payload v2 event (binary-safe, base64) for the matching route.
 */
export async function startMiniGateway(routes: Record<string, HttpLambda>): Promise<{ url: string; stop(): Promise<void> }> {
  const { createServer } = await import('node:http');
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://hub').pathname;
      const fn = routes[`${req.method} ${path}`];
      if (!fn) {
        res.writeHead(404).end();
        return;
      }
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]));
      const event = httpEvent({ method: req.method ?? 'POST', route: path, headers, body: Buffer.concat(chunks), base64: true });
      fn(event, lambdaContext(10_000))
        .then((out) => {
          const r = out as { statusCode?: number; headers?: Record<string, string>; body?: string };
          res.writeHead(r.statusCode ?? 200, r.headers ?? {}).end(r.body ?? '');
        })
        .catch(() => res.writeHead(500).end());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
