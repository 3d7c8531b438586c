/**
 * Foundation figures (`npx tsx test/bench/foundation.ts`, also part of `npm run bench`):
 * 1. Webhook acknowledgement latency p50/p99 and throughput on the local runtime, against a bare
 *    SendMessage of the same envelope to the same fauxqs (the floor), as ratios: once with the queue
 *    consumers paused (the path's own overhead) and once with them running (contention included).
 *    The requests come from a worker thread (`load-worker.ts`), as a caller's would from elsewhere, not
 *    from the thread the gateway and handler run on; `BENCH_ROUNDS` rounds each, medians printed.
 * 2. Each Lambda bundle's size and cold import time, against a bundle of the bare SDK clients it uses.
 * Figures only; nothing here passes or fails. `BENCH_PROFILE=<folder>` also writes a V8 CPU profile of
 * the hub's thread (gateway, webhook function, SDK clients) over the paused rounds, where it runs
 * nothing else, to `<folder>/webhook-paused.cpuprofile` (open it in Chrome's DevTools).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { PROJECT_ROOT } from '#infra/build-app.ts';
import { envForFunction, functionList, tablesOf } from '#infra/topology/index.ts';
import { bundleEntry, bundleSource, importTimeMs } from '#test/helpers/bundles.ts';
import { startTestHub } from '#test/helpers/hub.ts';
import { DOC_SAMPLES } from '#test/rungopher/samples.ts';
import { cpuSpent, LOAD_THREAD, THREAD_LABELS, threadCpu } from '#test/helpers/thread-cpu.ts';
import type { LoadFigures, LoadRequest } from './load-worker.ts';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
/** Rounds of each measurement (webhook then floor); the table gives each round and their medians. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PROFILE = process.env.BENCH_PROFILE;

/** Runs `fn` under V8's sampling profiler of this thread when BENCH_PROFILE is set, writing `<name>.cpuprofile`. */
async function profiled<T>(name: string, fn: () => Promise<T>): Promise<T> {
  if (!PROFILE) return fn();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await fn();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    await writeFile(join(PROFILE, `${name}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/** The load generator's worker thread (`load-worker.ts`): one closed loop per call. */
function loadGenerator(): { run(req: LoadRequest): Promise<LoadFigures>; stop(): Promise<number> } {
  const worker = new Worker(new URL('./load-worker.ts', import.meta.url), { name: LOAD_THREAD });
  return {
    run: (req) =>
      new Promise((resolve, reject) => {
        worker.once('message', (m: { ok: true; figures: LoadFigures } | { ok: false; error: string }) => (m.ok ? resolve(m.figures) : reject(new Error(m.error))));
        worker.postMessage(req);
      }),
    stop: () => worker.terminate(),
  };
}

async function webhookFigures(): Promise<void> {
  const hub = await startTestHub();
  const load = loadGenerator();
  try {
    const url = `${hub.url}/webhooks/rungopher/${hub.env.RUNGOPHER_WEBHOOK_TOKEN}`;
    const common = { concurrency: CONCURRENCY, sqsEndpoint: `http://127.0.0.1:${hub.sqsPort}`, sample: { ...DOC_SAMPLES[0] } };
    const queueUrl = hub.queues['rungopher-results'].url;
    let firstId = 1_000_000;
    const ids = () => (firstId += REQUESTS);
    // Warm up both paths (module load, connections) outside the figures.
    await load.run({ ...common, kind: 'webhook', url, count: 100, firstId: ids() });
    await load.run({ ...common, kind: 'sendMessage', url: queueUrl, count: 100, firstId: ids() });
    // CPU of this process's threads over each kind of loop, summed over the rounds.
    const cpu = { hook: new Map<string, number>(), floor: new Map<string, number>() };
    const timed = async (kind: 'hook' | 'floor', req: LoadRequest) => {
      const before = await threadCpu({ pid: process.pid });
      const figures = await load.run(req);
      for (const [name, s] of cpuSpent(before, await threadCpu({ pid: process.pid }))) cpu[kind].set(name, (cpu[kind].get(name) ?? 0) + s);
      return figures;
    };
    const measure = async () => {
      cpu.hook.clear();
      cpu.floor.clear();
      const rounds: { hook: LoadFigures; floor: LoadFigures }[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        const hook = await timed('hook', { ...common, kind: 'webhook', url, count: REQUESTS, firstId: ids() });
        const floor = await timed('floor', { ...common, kind: 'sendMessage', url: queueUrl, count: REQUESTS, firstId: ids() });
        rounds.push({ hook, floor });
      }
      return { rounds, cpu: { hook: new Map(cpu.hook), floor: new Map(cpu.floor) } };
    };
    const table = (title: string, { rounds, cpu: spent }: Awaited<ReturnType<typeof measure>>) => {
      console.log(`\n## Webhook acknowledgement, local runtime (${REQUESTS} requests, ${CONCURRENCY} concurrent, ${ROUNDS} rounds, ${title})`);
      console.log('round | webhook p50 / p99 ms | webhook req/s | floor p50 / p99 ms | floor req/s | ratio p50 | ratio p99 | ratio req/s');
      console.log('---|---|---|---|---|---|---|---');
      const ratios = rounds.map(({ hook, floor }) => ({ p50: hook.p50 / floor.p50, p99: hook.p99 / floor.p99, perSecond: hook.perSecond / floor.perSecond }));
      rounds.forEach(({ hook, floor }, i) => {
        const r = ratios[i] ?? { p50: NaN, p99: NaN, perSecond: NaN };
        console.log(`${i + 1} | ${hook.p50.toFixed(1)} / ${hook.p99.toFixed(1)} | ${hook.perSecond.toFixed(0)} | ${floor.p50.toFixed(1)} / ${floor.p99.toFixed(1)} | ${floor.perSecond.toFixed(0)} | ${r.p50.toFixed(2)}x | ${r.p99.toFixed(2)}x | ${r.perSecond.toFixed(2)}x`);
      });
      const m = (f: (x: { hook: LoadFigures; floor: LoadFigures }) => number) => median(rounds.map(f));
      console.log(
        `median | ${m((x) => x.hook.p50).toFixed(1)} / ${m((x) => x.hook.p99).toFixed(1)} | ${m((x) => x.hook.perSecond).toFixed(0)} | ${m((x) => x.floor.p50).toFixed(1)} / ${m((x) => x.floor.p99).toFixed(1)} | ${m((x) => x.floor.perSecond).toFixed(0)} | ${median(ratios.map((r) => r.p50)).toFixed(2)}x | ${median(ratios.map((r) => r.p99)).toFixed(2)}x | ${median(ratios.map((r) => r.perSecond)).toFixed(2)}x`,
      );
      // Where each path's CPU goes (Linux /proc; empty elsewhere): per request, by thread of this process.
      const names = [...new Set([...spent.hook.keys(), ...spent.floor.keys()])].sort((a, b) => (spent.hook.get(b) ?? 0) - (spent.hook.get(a) ?? 0));
      if (!names.length) return;
      const perRequest = (s: number | undefined) => (((s ?? 0) * 1000) / (REQUESTS * ROUNDS)).toFixed(2);
      console.log(`\nCPU ms per request by thread (${title}) | webhook | floor`);
      console.log('---|---|---');
      for (const n of names) console.log(`${THREAD_LABELS[n] ?? n} | ${perRequest(spent.hook.get(n))} | ${perRequest(spent.floor.get(n))}`);
      const sum = (x: Map<string, number>) => [...x.values()].reduce((a, b) => a + b, 0);
      console.log(`all threads | ${perRequest(sum(spent.hook))} | ${perRequest(sum(spent.floor))}`);
    };
    // The path's own overhead: nothing consumes while it is measured (the consumers are paused, as
    // disabled event source mappings would be), so webhook and floor meet the same idle fauxqs.
    await hub.pauseConsumers();
    const paused = await profiled('webhook-paused', measure);
    hub.resumeConsumers();
    // Then as it runs: the processor storing what arrives (and the backlog above) at the same time.
    const running = await measure();
    table("consumers paused: the path's own overhead", paused);
    table('processor consuming at the same time', running);
  } finally {
    await load.stop();
    await hub.cleanup();
  }
}

const SDK_CLIENTS = {
  sqs: "import { SQSClient } from '@aws-sdk/client-sqs'; export const c = new SQSClient({});",
  dynamodb: "import { DynamoDBClient } from '@aws-sdk/client-dynamodb'; import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'; export const c = DynamoDBDocumentClient.from(new DynamoDBClient({}));",
  secrets: "import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager'; export const c = new SecretsManagerClient({});",
} as const;

async function bundleFigures(): Promise<void> {
  const out = await mkdtemp(join(tmpdir(), 'switchboard-bench-bundles-'));
  try {
    console.log('\n## Lambda bundles (minified ESM, SDK bundled) against a bundle of the bare SDK clients each uses');
    console.log('function | bundle KiB | import ms (median of 7) | bare clients | bare KiB | bare import ms | size ratio | import ratio');
    for (const fn of functionList()) {
      const file = join(out, `${fn.name}.mjs`);
      const size = await bundleEntry(join(PROJECT_ROOT, fn.entry), file);
      // The environment the stack gives the function (resource names only; nothing is called at import).
      const env = envForFunction(fn, { table: (t) => `bench-${t}`, queueUrl: (q) => `https://sqs.us-east-1.amazonaws.com/000000000000/${q}`, secretArn: (s) => `arn:aws:secretsmanager:us-east-1:000000000000:secret:${s}` });
      const ms = importTimeMs(file, { ...env, POWERTOOLS_SERVICE_NAME: fn.name, POWERTOOLS_LOG_LEVEL: 'SILENT' });
      const clients = [
        ...((fn.sends ?? []).length || fn.trigger.kind === 'queue' ? (['sqs'] as const) : []),
        ...(tablesOf(fn).length ? (['dynamodb'] as const) : []),
        ...((fn.secrets ?? []).length ? (['secrets'] as const) : []),
      ];
      if (!clients.length) {
        console.log(`${fn.name} | ${(size / 1024).toFixed(0)} | ${ms.toFixed(0)} | (none) | - | - | - | -`);
        continue;
      }
      const bare = join(out, `${fn.name}-bare.mjs`);
      const bareSize = await bundleSource(clients.map((c) => SDK_CLIENTS[c].replace('export const c', `export const c_${c}`)).join('\n'), PROJECT_ROOT, bare);
      const bareMs = importTimeMs(bare, {});
      console.log(
        `${fn.name} | ${(size / 1024).toFixed(0)} | ${ms.toFixed(0)} | ${clients.join('+')} | ${(bareSize / 1024).toFixed(0)} | ${bareMs.toFixed(0)} | ${(size / bareSize).toFixed(2)}x | ${(ms / bareMs).toFixed(2)}x`,
      );
    }
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

await webhookFigures();
await bundleFigures();
