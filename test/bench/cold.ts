/**
 * Cold starts (`npm run bench -- cold`): for every function, its bundle as the stack builds it
 * (`stackBundle`: the HubFunction's esbuild settings) imported in a fresh Node process with only the
 * environment the stack gives it (no `NODE_OPTIONS`, as the stack sets by default), then its
 * handler called once with a typical event against the local emulators (dynalite, fauxqs and the vendor
 * sandboxes, started here; the local consumers are paused so nothing else runs meanwhile). Against it,
 * in the same run: a bundle of the bare SDK clients the function may use (SQS when it sends or is fed
 * by a queue, the DynamoDB document client when it has tables, EventBridge when it publishes what it
 * stores, Secrets Manager when it reads a secret), built the same way, imported and making one request
 * per client to the same emulators and the local event router (Secrets Manager has no emulator here:
 * constructed, not called). Medians of `COLD_RUNS` (default 7) fresh processes,
 * function and bare runs alternating. `COLD_ONLY=name,name` limits the functions.
 *
 * Figures only: ratio = (import + first invocation) / (bare import + bare call), on wall time and on
 * the child's CPU time (user + system; on a loaded machine the wall time also holds waiting for a core).
 * `COLD_BASE=<folder>`: a checkout of another commit (with node_modules), whose bundles run alternately
 * with these in the same run, for before/after figures, against bare bundle runs of their own. With
 * `COLD_BASE_SOURCE_MAPS=1` they (and those bare runs) run with `NODE_OPTIONS=--enable-source-maps`, the
 * stack's setting before `sourceMapTraces`: for a base that old only, since source maps add about as
 * much to both sides and so pull the base's ratio towards 1.
 * `COLD_PROFILE=<folder>`: each function's fresh processes also write a V8 CPU profile there (one
 * folder per function), and the bundles with their source maps are kept, to see where the time goes.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PROJECT_ROOT } from '#infra/build-app.ts';
import { localName } from '#infra/local/emulators.ts';
import { functionList, tables, tablesOf } from '#infra/topology/index.ts';
import type { TableDecl } from '#infra/topology/types.ts';
import { stackBundle } from '#test/helpers/bundles.ts';
import { functionEnv, startTestHub } from '#test/helpers/hub.ts';
import { goodaysBody } from '#test/goodays/fixtures.ts';
import { DOC_SAMPLES } from '#test/rungopher/samples.ts';

const RUNS = Number(process.env.COLD_RUNS ?? 7);
const ONLY = process.env.COLD_ONLY?.split(',').filter(Boolean);
const RUNNER = resolve(import.meta.dirname, '../helpers/cold-start.mjs');
const BASE = process.env.COLD_BASE;
const BASE_MAPS = process.env.COLD_BASE_SOURCE_MAPS === '1';
const PROFILE = process.env.COLD_PROFILE;

type Fn = ReturnType<typeof functionList>[number];
interface Outcome {
  ok: boolean;
  importMs?: number;
  invokeMs?: number;
  importCpuMs?: number;
  invokeCpuMs?: number;
  result?: { statusCode?: number; batchItemFailures?: unknown[] };
  error?: string;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

function runOnce(file: string, kind: 'fn' | 'bare', env: Record<string, string>, event?: unknown, sourceMaps = false, profileDir?: string): Promise<Outcome> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), RUNNER, file, kind], { env: { PATH: process.env.PATH ?? '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...(sourceMaps ? { NODE_OPTIONS: '--enable-source-maps' } : {}), ...env }, timeout: 120_000 });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', () => {
      try {
        done(JSON.parse(out) as Outcome);
      } catch {
        done({ ok: false, error: `${out}\n${err}` });
      }
    });
    child.stdin.end(event === undefined ? '' : JSON.stringify(event));
  });
}

const httpEvent = (method: string, path: string, rawPath: string, opts: { body?: string; headers?: Record<string, string>; pathParameters?: Record<string, string> } = {}) => ({
  version: '2.0',
  routeKey: `${method} ${path}`,
  rawPath,
  rawQueryString: '',
  headers: opts.headers ?? {},
  ...(opts.pathParameters ? { pathParameters: opts.pathParameters } : {}),
  requestContext: { requestId: `cold-${Math.random()}`, routeKey: `${method} ${path}`, timeEpoch: Date.now(), http: { method, path: rawPath } },
  ...(opts.body ? { body: opts.body } : {}),
  isBase64Encoded: false,
});
const sqsRecord = (body: string) => ({ messageId: `cold-${Math.random()}`, receiptHandle: 'r', body, attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(Date.now()) }, messageAttributes: {}, eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:cold' });

/** The event of a typical first invocation, and what it exercises. */
function eventFor(fn: Fn, env: Record<string, string>, i: number): { event: unknown; path: string } {
  const t = fn.trigger;
  if (fn.name === 'rungopher-webhook') {
    const token = env.RUNGOPHER_WEBHOOK_TOKEN ?? '';
    return { event: httpEvent('POST', '/webhooks/rungopher/{token}', `/webhooks/rungopher/${token}`, { body: JSON.stringify({ ...DOC_SAMPLES[0], id: 7_000_000 + i }), pathParameters: { token } }), path: 'result queued' };
  }
  if (fn.name === 'goodays-webhook') {
    const secret = (env.GOODAYS_HMAC_SECRETS ?? '').split(',')[0] ?? '';
    const body = goodaysBody('response', { responseId: `cold${i}` });
    return { event: httpEvent('POST', '/webhooks/goodays', '/webhooks/goodays', { body, headers: { 'content-type': 'application/json', 'x-hmac-sha256': createHmac('sha256', secret).update(body).digest('hex') } }), path: 'signed event queued' };
  }
  if (fn.name === 'rungopher-processor') {
    const body = JSON.stringify({ ...DOC_SAMPLES[0], id: 7_100_000 + i, contactId: `cold${i}` });
    return { event: { Records: [sqsRecord(JSON.stringify({ vendor: 'rungopher', requestId: `cold${i}`, receivedAt: new Date().toISOString(), body, source: 'webhook' }))] }, path: 'result stored' };
  }
  if (fn.name === 'goodays-event-processor') {
    const body = goodaysBody('response', { responseId: `coldp${i}` });
    return { event: { Records: [sqsRecord(JSON.stringify({ vendor: 'goodays', requestId: `cold${i}`, receivedAt: new Date().toISOString(), body, source: 'webhook' }))] }, path: 'event stored' };
  }
  if (t.kind === 'http') {
    const route = t.routes.find((r) => r.method === 'GET') ?? t.routes[0];
    if (!route) throw new Error(`${fn.name} has no route`);
    const params: Record<string, string> = { id: 'cold', campaignId: '15', contactId: 'cold', botUserId: 'cold', asset: 'swagger-ui.css', stream: 'cold', queue: 'cold', action: 'close', actionId: 'cold', jobId: 'cold' };
    const token = env.HUB_OPERATOR_TOKEN;
    return {
      event: httpEvent(route.method, route.path, route.path.replace(/\{([^}]+)\}/g, (_, k: string) => params[k] ?? 'cold'), { pathParameters: params, headers: token ? { authorization: `Bearer ${token}` } : {} }),
      path: `${route.method} ${route.path}`,
    };
  }
  if (t.kind === 'queue' || t.kind === 'subscriptions') return { event: { Records: [sqsRecord('not a message of this queue')] }, path: 'foreign record quarantined' };
  return { event: { version: '0', id: 'cold', 'detail-type': 'Scheduled Event', source: 'aws.events', time: new Date().toISOString(), detail: {} }, path: 'scheduled run' };
}

/** The bare clients a function may use, as a module whose `call()` makes one request with each. */
function bareSource(fn: Fn, env: Record<string, string>, queueUrlOf: (q: string) => string): { source: string; clients: string[] } {
  const clients: string[] = [];
  const lines: string[] = [];
  const calls: string[] = [];
  const queue = fn.sends?.[0] ?? (fn.trigger.kind === 'queue' ? fn.trigger.queue : undefined);
  if (queue !== undefined) {
    const queueUrl = queueUrlOf(queue);
    clients.push('sqs');
    lines.push("import { SQSClient, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';", 'const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });');
    calls.push(`await sqs.send(new GetQueueAttributesCommand({ QueueUrl: ${JSON.stringify(queueUrl)}, AttributeNames: ['ApproximateNumberOfMessages'] }));`);
  }
  const table = tablesOf(fn)[0];
  if (table) {
    clients.push('dynamodb');
    const decl: TableDecl = tables[table];
    const key = { [decl.partitionKey]: 'cold', ...(decl.sortKey ? { [decl.sortKey]: 'cold' } : {}) };
    lines.push("import { DynamoDBClient } from '@aws-sdk/client-dynamodb';", "import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';", 'const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({}));');
    calls.push(`await ddb.send(new GetCommand({ TableName: ${JSON.stringify(localName(table))}, Key: ${JSON.stringify(key)} }));`);
  }
  // A function that announces what it stores publishes on its common path (`hub.quarantined` alone is
  // the rare one): one PutEvents to the bus it is given, the local router here.
  if (fn.publishes?.some((t) => t !== 'hub.quarantined') && env.HUB_EVENT_BUS) {
    clients.push('eventbridge');
    lines.push("import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';", 'const bus = new EventBridgeClient({});');
    calls.push(`await bus.send(new PutEventsCommand({ Entries: [{ EventBusName: ${JSON.stringify(env.HUB_EVENT_BUS)}, Source: 'switchboard.cold', DetailType: 'cold.start', Detail: '{}' }] }));`);
  }
  if ((fn.secrets ?? []).length) {
    clients.push('secrets (not called)');
    lines.push("import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';", 'export const secrets = new SecretsManagerClient({});');
  }
  return { source: `${lines.join('\n')}\nexport async function call() {\n${calls.join('\n')}\n}\n`, clients };
}

const out = await mkdtemp(join(tmpdir(), 'switchboard-cold-'));
const hub = await startTestHub();
try {
  await hub.pauseConsumers();
  const fns = functionList().filter((f) => !ONLY || ONLY.includes(f.name));
  const rows: string[] = [];
  const total = (r: Outcome): number => (r.importMs ?? NaN) + (r.invokeMs ?? NaN);
  const cpu = (r: Outcome): number => (r.importCpuMs ?? NaN) + (r.invokeCpuMs ?? NaN);
  const build = async (root: string, fn: Fn, dir: string): Promise<{ file: string; size: number }> => {
    const file = join(out, dir, 'index.mjs');
    const size = await stackBundle(join(root, fn.entry), file);
    // What the stack's afterBundling hook writes beside the static-asset bundle.
    if (fn.staticAssets) spawnSync(process.execPath, ['--import', 'tsx', join(root, 'infra', 'openapi', 'write-assets.ts'), join(out, dir, 'static')], { cwd: root, stdio: 'ignore' });
    return { file, size };
  };
  for (const fn of fns) {
    const env = { ...functionEnv(hub, fn), POWERTOOLS_SERVICE_NAME: fn.name, POWERTOOLS_LOG_LEVEL: 'SILENT', COLD_TIMEOUT_MS: String((fn.timeoutSeconds ?? 30) * 1000) };
    const now = await build(PROJECT_ROOT, fn, fn.name);
    const base = BASE ? await build(BASE, fn, `${fn.name}-base`) : undefined;
    const bare = bareSource(fn, env, (q) => hub.queues[q as keyof typeof hub.queues].url);
    const bareFile = join(out, `${fn.name}-bare`, 'index.mjs');
    const bareSize = bare.clients.length ? await stackBundle({ source: bare.source, resolveDir: PROJECT_ROOT }, bareFile) : 0;
    const runs: Record<'now' | 'base' | 'bare' | 'bareForBase', Outcome[]> = { now: [], base: [], bare: [], bareForBase: [] };
    let path = '';
    for (let i = 0; i < RUNS; i++) {
      const e = eventFor(fn, env, i);
      path = e.path;
      const steps: (() => Promise<unknown>)[] = [
        async () => runs.now.push(await runOnce(now.file, 'fn', env, e.event, false, PROFILE ? join(PROFILE, fn.name) : undefined)),
        async () => (bare.clients.length ? runs.bare.push(await runOnce(bareFile, 'bare', env)) : undefined),
        async () => (base ? runs.base.push(await runOnce(base.file, 'fn', env, eventFor(fn, env, i + RUNS).event, BASE_MAPS)) : undefined),
        async () => (base && bare.clients.length ? runs.bareForBase.push(await runOnce(bareFile, 'bare', env, undefined, BASE_MAPS)) : undefined),
      ];
      // A different order each round, so no one of them always runs right after another.
      for (let k = 0; k < steps.length; k++) await steps[(k + i) % steps.length]?.();
    }
    const failed = [...runs.now, ...runs.bare, ...runs.base, ...runs.bareForBase].find((r) => !r.ok);
    if (failed) {
      rows.push(`${fn.name} | ${path} | failed: ${(failed.error ?? '').split('\n')[0]}`);
      continue;
    }
    const first = runs.now[0]?.result;
    const status = first?.statusCode ?? (first?.batchItemFailures ? `failures ${first.batchItemFailures.length}` : 'ok');
    const m = (xs: Outcome[], f: (r: Outcome) => number) => median(xs.map(f));
    const bareTotal = m(runs.bare, total);
    const bareCpu = m(runs.bare, cpu);
    const ratio = (a: number, b: number) => (bare.clients.length ? `${(a / b).toFixed(2)}x` : '-');
    rows.push(
      [
        fn.name,
        `${path} (${status})`,
        (now.size / 1024).toFixed(0),
        m(runs.now, (r) => r.importMs ?? NaN).toFixed(0),
        m(runs.now, (r) => r.invokeMs ?? NaN).toFixed(0),
        m(runs.now, total).toFixed(0),
        m(runs.now, cpu).toFixed(0),
        bare.clients.join('+') || '(none)',
        bare.clients.length ? (bareSize / 1024).toFixed(0) : '-',
        bare.clients.length ? m(runs.bare, (r) => r.importMs ?? NaN).toFixed(0) : '-',
        bare.clients.length ? m(runs.bare, (r) => r.invokeMs ?? NaN).toFixed(0) : '-',
        bare.clients.length ? bareTotal.toFixed(0) : '-',
        bare.clients.length ? bareCpu.toFixed(0) : '-',
        ratio(m(runs.now, total), bareTotal),
        ratio(m(runs.now, cpu), bareCpu),
        ...(base
          ? [(base.size / 1024).toFixed(0), m(runs.base, total).toFixed(0), m(runs.base, cpu).toFixed(0), bare.clients.length ? m(runs.bareForBase, total).toFixed(0) : '-', ratio(m(runs.base, total), m(runs.bareForBase, total)), ratio(m(runs.base, cpu), m(runs.bareForBase, cpu))]
          : []),
      ].join(' | '),
    );
    console.error(rows.at(-1));
  }
  console.log(`\n## Cold start per function: import + first invocation against the local emulators, median of ${RUNS} fresh processes, load average ${loadavg()[0]?.toFixed(1)} at the end`);
  console.log(
    `function | first invocation (answer) | bundle KiB | import ms | invoke ms | import+invoke ms | CPU ms | bare clients | bare KiB | bare import ms | bare call ms | bare total ms | bare CPU ms | ratio | CPU ratio${BASE ? ` | base KiB | base total ms${BASE_MAPS ? ' (source maps on)' : ''} | base CPU ms | bare total ms beside it${BASE_MAPS ? ' (source maps on)' : ''} | base ratio | base CPU ratio` : ''}`,
  );
  for (const r of rows) console.log(r);
} finally {
  await hub.cleanup();
  if (PROFILE) console.log(`\nProfiles in ${PROFILE}/<function>; the bundles they ran (with source maps) kept in ${out}`);
  else await rm(out, { recursive: true, force: true });
}
