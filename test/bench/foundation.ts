/**
 * Foundation figures (`npx tsx test/bench/foundation.ts`, also part of `npm run bench`):
 * 1. Webhook acknowledgement latency p50/p99 and throughput on the local runtime, against a bare
 *    SendMessage of the same envelope to the same fauxqs (the floor), as ratios: once with the queue
 *    consumers paused (the path's own overhead) and once with them running (contention included).
 * 2. Each Lambda bundle's size and cold import time, against a bundle of the bare SDK clients it uses.
 * Figures only; nothing here passes or fails.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { PROJECT_ROOT } from '#infra/build-app.ts';
import { envForFunction, functionList, tablesOf } from '#infra/topology/index.ts';
import { bundleEntry, bundleSource, importTimeMs } from '#test/helpers/bundles.ts';
import { startTestHub } from '#test/helpers/hub.ts';
import { DOC_SAMPLES } from '#test/rungopher/samples.ts';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

async function run(count: number, concurrency: number, one: (i: number) => Promise<void>): Promise<{ p50: number; p99: number; perSecond: number }> {
  const latencies: number[] = [];
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const t = performance.now();
        await one(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const total = performance.now() - start;
  latencies.sort((a, b) => a - b);
  return { p50: pct(latencies, 50), p99: pct(latencies, 99), perSecond: (count / total) * 1000 };
}

async function webhookFigures(): Promise<void> {
  const hub = await startTestHub();
  try {
    const url = `${hub.url}/webhooks/rungopher/${hub.env.RUNGOPHER_WEBHOOK_TOKEN}`;
    const body = (i: number) => JSON.stringify({ ...DOC_SAMPLES[0], id: 1_000_000 + i });
    // Warm up both paths (module load, connections).
    for (let i = 0; i < 50; i++) await fetch(url, { method: 'POST', body: body(-i - 1) }).then((r) => r.arrayBuffer());
    const sqs = new SQSClient({ endpoint: `http://127.0.0.1:${hub.sqsPort}`, region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' }, useQueueUrlAsEndpoint: false });
    const queueUrl = hub.queues['rungopher-results'].url;
    let offset = 0;
    const measure = async () => {
      const base = (offset += 2 * REQUESTS);
      const hook = await run(REQUESTS, CONCURRENCY, async (i) => {
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body(base + i) });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
      });
      const floor = await run(REQUESTS, CONCURRENCY, async (i) => {
        await sqs.send(
          new SendMessageCommand({
            QueueUrl: queueUrl,
            MessageBody: JSON.stringify({ vendor: 'rungopher', requestId: `b${base + i}`, receivedAt: new Date().toISOString(), body: body(base + REQUESTS + i), source: 'webhook' }),
          }),
        );
      });
      return { hook, floor };
    };
    const table = (title: string, { hook, floor }: Awaited<ReturnType<typeof measure>>) => {
      console.log(`\n## Webhook acknowledgement, local runtime (${REQUESTS} requests, ${CONCURRENCY} concurrent, ${title})`);
      console.log('path | p50 ms | p99 ms | requests/s');
      console.log(`POST /webhooks/rungopher (gateway + Lambda handler + SendMessage) | ${hook.p50.toFixed(2)} | ${hook.p99.toFixed(2)} | ${hook.perSecond.toFixed(0)}`);
      console.log(`bare SendMessage to the same fauxqs (floor) | ${floor.p50.toFixed(2)} | ${floor.p99.toFixed(2)} | ${floor.perSecond.toFixed(0)}`);
      console.log(`ratio webhook/floor | ${(hook.p50 / floor.p50).toFixed(2)}x | ${(hook.p99 / floor.p99).toFixed(2)}x | ${(hook.perSecond / floor.perSecond).toFixed(2)}x`);
    };
    // The path's own overhead: nothing consumes while it is measured (the consumers are paused, as
    // disabled event source mappings would be), so webhook and floor meet the same idle fauxqs.
    await hub.pauseConsumers();
    const paused = await measure();
    hub.resumeConsumers();
    // Then as it runs: the processor storing what arrives (and the backlog above) at the same time.
    const running = await measure();
    table('consumers paused: the path\'s own overhead', paused);
    table('processor consuming at the same time', running);
  } finally {
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
