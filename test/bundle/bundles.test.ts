import { spawn } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, PROJECT_ROOT } from '#infra/build-app.ts';
import { localName } from '#infra/local/emulators.ts';
import { CONSOLE_CSP } from '#console/csp.ts';
import { DOCS_CSP } from '#infra/openapi/assets.ts';
import { openApiDocument } from '#infra/openapi/document.ts';
import { functionList, functions } from '#infra/topology/index.ts';
import type { FunctionName } from '#infra/topology/index.ts';
import { functionEnv, startTestHub } from '#test/helpers/hub.ts';
import { DOC_SAMPLES } from '#test/rungopher/samples.ts';

/**
 * Synthesises the real stack (esbuild bundling included) and loads every Lambda bundle in a plain
 * Node process, as Lambda would, calling its handler against the local emulators.
 */
let outdir: string;
let bundles: Record<string, string>;
let hub: Awaited<ReturnType<typeof startTestHub>>;

beforeAll(async () => {
  // The same cloud assembly `npm run synth` writes: cdk.out, bundled by the local esbuild.
  outdir = resolve(PROJECT_ROOT, 'cdk.out');
  const { app, stack } = buildApp({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } });
  const assembly = app.synth();
  const template = assembly.getStackByName(stack.stackName).template as { Resources: Record<string, { Type: string; Metadata?: Record<string, string> }> };
  bundles = {};
  for (const fn of functionList()) {
    const id = stack.getLogicalId(stack.functions[fn.name].fn.node.defaultChild as never);
    const asset = template.Resources[id]?.Metadata?.['aws:asset:path'];
    if (asset) bundles[fn.name] = resolve(outdir, asset, 'index.mjs');
  }
  hub = await startTestHub();
  // The synth bundles every function and writes the static-asset folder; two shared cores can be slow.
}, 240_000);

afterAll(async () => {
  await hub?.cleanup();
});

type BundleOutcome = { ok: boolean; result?: { statusCode?: number; body?: string; batchItemFailures?: unknown[] }; error?: string };

/** Runs a bundle in a child Node process; asynchronous, because the emulators live in this process. */
async function callBundle(name: FunctionName, event: unknown): Promise<BundleOutcome> {
  const bundle = bundles[name];
  if (!bundle) throw new Error(`no bundle for ${name}`);
  const child = spawn(process.execPath, [resolve(import.meta.dirname, '../helpers/invoke-bundle.mjs'), bundle], {
    // Only what the stack gives this function: a handler that reads past its declaration fails here.
    env: { PATH: process.env.PATH, ...functionEnv(hub, functions[name]), POWERTOOLS_LOG_LEVEL: 'SILENT', SMOKE_TIMEOUT_MS: String((functions[name].timeoutSeconds ?? 30) * 1000) },
    timeout: 30_000,
  });
  child.stdin.end(JSON.stringify(event));
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  await new Promise((r) => child.on('close', r));
  try {
    return JSON.parse(stdout) as BundleOutcome;
  } catch {
    return { ok: false, error: `${stdout}\n${stderr}` };
  }
}

const httpEvent = (routeKey: string, rawPath: string, opts: { body?: string; headers?: Record<string, string>; pathParameters?: Record<string, string>; query?: Record<string, string> } = {}) => ({
  version: '2.0',
  routeKey,
  rawPath,
  rawQueryString: '',
  headers: opts.headers ?? {},
  ...(opts.query ? { queryStringParameters: opts.query } : {}),
  ...(opts.pathParameters ? { pathParameters: opts.pathParameters } : {}),
  requestContext: { requestId: `smoke-${Math.random()}`, routeKey, timeEpoch: Date.now(), http: { method: routeKey.split(' ')[0], path: rawPath } },
  ...(opts.body ? { body: opts.body } : {}),
  isBase64Encoded: false,
});

describe('Lambda bundles from cdk synth', () => {
  it('has one ESM bundle per function', () => {
    expect(Object.keys(bundles).sort()).toEqual(functionList().map((f) => f.name).sort());
  });

  it.each(functionList().map((f) => [f.name, f] as const))('%s loads in plain Node and answers its trigger', async (name, fn) => {
    const trigger = fn.trigger;
    if (trigger.kind === 'http') {
      // Without credentials every route answers a clear status (200 for /health, 401/400 otherwise), never a crash.
      const route = trigger.routes[0];
      if (!route) throw new Error(`${name} has no route`);
      const out = await callBundle(name, httpEvent(`${route.method} ${route.path}`, route.path.replace(/\{[^}]+\}/g, 'x'), { pathParameters: { token: 'wrong', id: 'x', action: 'reply', actionId: 'x', campaignId: '1', contactId: '1', botUserId: 'x' } }));
      expect(out.error).toBeUndefined();
      expect([200, 400, 401, 404]).toContain(out.result?.statusCode);
    } else if (trigger.kind === 'queue') {
      // One message that is not the queue's format: every consumer quarantines it (reading its
      // per-record settings and tables) and acknowledges it rather than retrying.
      const record = { messageId: 'smoke-1', receiptHandle: 'r', body: 'not a message of this queue', attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(Date.now()) }, messageAttributes: {}, eventSource: 'aws:sqs' };
      const out = await callBundle(name, { Records: [record] });
      expect(out.error).toBeUndefined();
      expect(out.result?.batchItemFailures).toEqual([]);
    } else if (trigger.kind === 'subscriptions') {
      // The delivery function, with only its own environment: a record that is no hub event is quarantined and acknowledged.
      const record = { messageId: 'smoke-outbound', receiptHandle: 'r', body: 'not an event', attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(Date.now()) }, messageAttributes: {}, eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:none' };
      const out = await callBundle(name, { Records: [record] });
      expect(out.error).toBeUndefined();
      expect(out.result?.batchItemFailures).toEqual([]);
    } else {
      // Schedules run for real against the local emulators and vendor sandboxes.
      const out = await callBundle(name, { version: '0', id: 'smoke', 'detail-type': 'Scheduled Event', source: 'aws.events', time: new Date().toISOString(), detail: {} });
      expect(out.error).toBeUndefined();
      expect(out.ok).toBe(true);
    }
  });

  it('the static-asset bundle serves the OpenAPI document, the reference and 404 problems from its own folder, with no AWS SDK in it', async () => {
    const doc = await callBundle('static-assets', httpEvent('GET /openapi.json', '/openapi.json'));
    expect(doc.result?.statusCode).toBe(200);
    const served = JSON.parse(Buffer.from(doc.result?.body ?? '', 'base64').toString('utf8')) as { openapi: string; paths: Record<string, unknown> };
    expect(served).toEqual(JSON.parse(JSON.stringify(await openApiDocument(PROJECT_ROOT))));
    const page = await callBundle('static-assets', httpEvent('GET /docs', '/docs'));
    expect(page.result).toMatchObject({ statusCode: 200, headers: { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': DOCS_CSP } });
    const script = await callBundle('static-assets', httpEvent('GET /docs/{asset}', '/docs/swagger-ui-bundle.js', { pathParameters: { asset: 'swagger-ui-bundle.js' } }));
    expect(script.result?.statusCode).toBe(200);
    const none = await callBundle('static-assets', httpEvent('$default', '/nothing/here'));
    expect(none.result).toMatchObject({ statusCode: 404, headers: { 'content-type': 'application/problem+json' } });
    const text = await readFile(bundles['static-assets'] ?? '', 'utf8');
    expect(text).not.toMatch(/@aws-sdk|SQSClient|DynamoDBClient/);
    expect((await stat(bundles['static-assets'] ?? '')).size).toBeLessThan(150 * 1024);
  });

  it('no other bundle carries the route descriptions or the reference (their size does not grow with the document)', async () => {
    const summaries = Object.values((await openApiDocument(PROJECT_ROOT)).paths).flatMap((ops) => Object.values(ops).map((op) => (op as { summary: string }).summary));
    for (const f of functionList().filter((x) => !x.staticAssets)) {
      const text = await readFile(bundles[f.name] ?? '', 'utf8');
      const carried = summaries.filter((s) => text.includes(s));
      expect({ fn: f.name, carried, swagger: text.includes('SwaggerUIBundle') }).toEqual({ fn: f.name, carried: [], swagger: false });
    }
  });

  // With the operator token, every operator route reads its own settings, tables and queues: with only
  // the environment the stack gives it, each answers (2xx or a 4xx about the request), never a 5xx or a 401.
  const operatorRoutes = functionList().flatMap((f) =>
    f.trigger.kind === 'http' && (f.secrets ?? []).includes('hub') ? f.trigger.routes.map((r) => [f.name, `${r.method} ${r.path}`] as const) : [],
  );
  it.each(operatorRoutes)('%s answers %s with the operator token from its own environment', async (name, routeKey) => {
    const [method = 'GET', path = '/'] = routeKey.split(' ');
    const params = { id: 'smoke-response', action: 'close', actionId: 'smoke-action', campaignId: '15', contactId: 'smoke', botUserId: 'smoke-user' };
    const out = await callBundle(
      name,
      httpEvent(routeKey, path.replace(/\{([^}]+)\}/g, (_, k: keyof typeof params) => params[k]), {
        headers: { authorization: `Bearer ${hub.env.HUB_OPERATOR_TOKEN ?? ''}`, 'content-type': 'application/json' },
        pathParameters: params,
        ...(method === 'POST' ? { body: JSON.stringify({ operatorEmail: 'smoke@example.com', outcome: 'failed' }) } : {}),
      }),
    );
    expect(out.error).toBeUndefined();
    expect({ routeKey, status: out.result?.statusCode }).toEqual({ routeKey, status: expect.any(Number) });
    expect({ routeKey, ok: (out.result?.statusCode ?? 500) < 500 && out.result?.statusCode !== 401 }).toEqual({ routeKey, ok: true });
  });

  it('the Netcore transcripts worker, with only its own environment, quarantines and acknowledges a malformed job', async () => {
    // Per-record settings (the quarantine table) are read only when a record needs them: an empty batch proves nothing.
    const messageId = `netcore-bad-${Date.now()}`;
    const out = await callBundle('netcore-transcripts-worker', {
      Records: [{ messageId, receiptHandle: 'r', body: '{"botUserId":""}', attributes: { SentTimestamp: String(Date.now()), ApproximateReceiveCount: '1' }, messageAttributes: {}, eventSource: 'aws:sqs' }],
    });
    expect(out.error).toBeUndefined();
    expect(out.result?.batchItemFailures).toEqual([]);
    const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: hub.env.AWS_ENDPOINT_URL_DYNAMODB, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
    const scan = await ddb.send(new ScanCommand({ TableName: localName('quarantine') }));
    ddb.destroy();
    expect(scan.Items?.filter((i) => i.requestId === messageId)).toEqual([expect.objectContaining({ vendor: 'netcore', stage: 'processor', body: '{"botUserId":""}' })]);
  });

  it('health answers 200', async () => {
    const out = await callBundle('health', httpEvent('GET /health', '/health'));
    expect(out.error).toBeUndefined();
    expect(out.result?.statusCode).toBe(200);
  });

  it('the static-asset bundle carries the console: /console with its CSP, each file it names, 404 for the rest', async () => {
    const page = await callBundle('static-assets', httpEvent('GET /console', '/console'));
    expect(page.error).toBeUndefined();
    expect(page.result).toMatchObject({ statusCode: 200, headers: { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': CONSOLE_CSP, 'cache-control': 'no-cache' } });
    const html = Buffer.from(page.result?.body ?? '', 'base64').toString('utf8');
    const files = [...html.matchAll(/(?:src|href)="(\/console\/[^"/]+)"/g)].map((m) => m[1] ?? '');
    expect(files).toHaveLength(2);
    for (const file of files) {
      const out = await callBundle('static-assets', httpEvent('GET /console/{asset}', file, { pathParameters: { asset: file.slice('/console/'.length) } }));
      expect({ file, status: out.result?.statusCode, cache: (out.result as { headers?: Record<string, string> }).headers?.['cache-control'] }).toEqual({ file, status: 200, cache: 'public, max-age=31536000, immutable' });
      expect(Buffer.from(out.result?.body ?? '', 'base64').length).toBeGreaterThan(1000);
    }
    const missing = await callBundle('static-assets', httpEvent('GET /console/{asset}', '/console/nope.js', { pathParameters: { asset: 'nope.js' } }));
    expect(missing.result?.statusCode).toBe(404);
  });

  it('the Rungopher webhook, processor and API bundles work against the emulators', async () => {
    const token = hub.env.RUNGOPHER_WEBHOOK_TOKEN ?? '';
    const sample = JSON.stringify({ ...DOC_SAMPLES[0], id: 424242, contactId: 'bundle' });
    const hook = await callBundle('rungopher-webhook', httpEvent('POST /webhooks/rungopher/{token}', `/webhooks/rungopher/${token}`, { body: sample, pathParameters: { token } }));
    expect(hook.error).toBeUndefined();
    expect(hook.result?.statusCode).toBe(200);

    const envelope = JSON.stringify({ vendor: 'rungopher', requestId: 'smoke', receivedAt: new Date().toISOString(), body: sample, source: 'webhook' });
    const processed = await callBundle('rungopher-processor', {
      Records: [{ messageId: 'm1', receiptHandle: 'r', body: envelope, attributes: { SentTimestamp: String(Date.now()), ApproximateReceiveCount: '1' }, messageAttributes: {}, eventSource: 'aws:sqs' }],
    });
    expect(processed.error).toBeUndefined();
    expect(processed.result?.batchItemFailures).toEqual([]);

    const api = await callBundle(
      'rungopher-api',
      httpEvent('GET /rungopher/campaigns/{campaignId}/contacts/{contactId}', '/rungopher/campaigns/15/contacts/bundle', {
        headers: { authorization: `Bearer ${hub.env.HUB_OPERATOR_TOKEN}` },
        pathParameters: { campaignId: '15', contactId: 'bundle' },
      }),
    );
    expect(api.result?.statusCode).toBe(200);
    expect(JSON.parse(api.result?.body ?? '{}')).toMatchObject({ contactId: 'bundle', results: { accepted: { id: '424242' } } });
  });
});
