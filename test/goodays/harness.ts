import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, Context, SQSEvent } from 'aws-lambda';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { QueueName, TableName } from '#infra/topology/index.ts';
import { createLambdaContext } from '#infra/local/invoke.ts';
import { startTestAws } from '#test/helpers/emulators.ts';

/**
 * Real local AWS for the Goodays integration tests, through the shared harness ({@link startTestAws}):
 * dynalite and fauxqs on random loopback ports, tables and queues (with their DLQs) created from the
 * topology declarations under their logical names, and the environment variables the functions read.
 * Start it before any module that builds an AWS client is imported.
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

export async function startHarness(tableNames: readonly TableName[], queueNames: readonly QueueName[]): Promise<Harness> {
  // Visibility 0: a record that is not deleted is back at once, so a test drives every redelivery itself.
  const aws = await startTestAws({ tables: tableNames, queues: queueNames, name: (n) => n, visibilityTimeoutSeconds: 0 });
  Object.assign(process.env, {
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'ERROR',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  return {
    ddb: aws.dynamo,
    sqs: aws.sqs,
    queueUrl: (name) => aws.queue(name).url,
    async receive(name, max = 10) {
      return { Records: await aws.receive(name, max) };
    },
    async settle(name, event, failures) {
      const failed = new Set(failures.map((f) => f.itemIdentifier));
      for (const r of event.Records) if (!failed.has(r.messageId)) await aws.delete(name, r);
    },
    stop: () => aws.stop(),
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
