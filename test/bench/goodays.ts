/**
 * Goodays figures: webhook acknowledgement latency, AWS requests per stored event and per duplicate,
 * Goodays calls per action. Bundle sizes and import times are measured for every function, the
 * stack's way, by test/bench/foundation.ts.
 * Run: `npx tsx test/bench/goodays.ts` (prints a table; no assertions).
 */
import { httpEvent, lambdaContext, startHarness } from '#test/goodays/harness.ts';
import { goodaysBody } from '#test/goodays/fixtures.ts';

// Request counting on the shared clients, then the real handlers against dynalite + fauxqs.
const harness = await startHarness(['goodays-events', 'goodays-threads', 'goodays-actions', 'goodays-users', 'quarantine', 'customer-index'], ['goodays-events', 'goodays-actions']);
process.env.GOODAYS_HMAC_SECRETS = 'bench-secret';
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
const { dynamo, sqs } = await import('#platform/aws.ts');
const counts = new Map<string, number>();
type Next = (args: unknown) => Promise<unknown>;
type Stack = { add(mw: (next: Next, context: unknown) => Next, options: { step: 'initialize'; name: string }): void };
for (const [name, client] of [['dynamodb', dynamo], ['sqs', sqs]] as const) {
  (client.middlewareStack as unknown as Stack).add(
    (next, context) => async (args) => {
      const key = `${name}:${String((context as { commandName?: string }).commandName)}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: `count-${name}` },
  );
}
const { createHmac } = await import('node:crypto');
const webhook = (await import('#goodays/handlers/webhook.ts')).handler as unknown as (e: unknown, c: unknown) => Promise<{ statusCode: number }>;
const processor = (await import('#goodays/handlers/event-processor.ts')).handler as unknown as (e: unknown, c: unknown) => Promise<{ batchItemFailures: unknown[] }>;

const N = 300;
const latencies: number[] = [];
for (let i = 0; i < N; i++) {
  const body = goodaysBody('response', { responseId: `bench${String(i).padStart(5, '0')}` });
  const sig = createHmac('sha256', 'bench-secret').update(body).digest('hex');
  const t = performance.now();
  const res = await webhook(httpEvent({ method: 'POST', route: '/webhooks/goodays', headers: { 'x-hmac-sha256': sig }, body }), lambdaContext());
  latencies.push(performance.now() - t);
  if (res.statusCode !== 200) throw new Error(`webhook answered ${res.statusCode}`);
}
latencies.sort((a, b) => a - b);
const pct = (p: number) => (latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0).toFixed(1);
console.log(`\n## Webhook acknowledgement (handler in process, fauxqs SendMessage), ${N} signed events`);
console.log(`p50 ${pct(50)} ms, p90 ${pct(90)} ms, p99 ${pct(99)} ms`);
const webhookCounts = new Map(counts);
console.log(`AWS requests per webhook: ${[...webhookCounts].map(([k, v]) => `${k} ${(v / N).toFixed(2)}`).join(', ')}`);

counts.clear();
let stored = 0;
for (;;) {
  const event = await harness.receive('goodays-events', 10);
  if (event.Records.length === 0) break;
  const outcome = await processor(event, lambdaContext(60_000));
  await harness.settle('goodays-events', event, outcome.batchItemFailures as { itemIdentifier: string }[]);
  stored += event.Records.length;
}
const perEvent = [...counts].filter(([k]) => k.startsWith('dynamodb')).map(([k, v]) => `${k.replace('dynamodb:', '')} ${(v / stored).toFixed(2)}`);
console.log(`\n## Event processor: ${stored} new events stored and folded`);
console.log(`DynamoDB requests per new event: ${perEvent.join(', ')}`);

// Duplicates: every event again.
counts.clear();
for (let i = 0; i < 100; i++) {
  const body = goodaysBody('response', { responseId: `bench${String(i).padStart(5, '0')}` });
  const sig = createHmac('sha256', 'bench-secret').update(body).digest('hex');
  await webhook(httpEvent({ method: 'POST', route: '/webhooks/goodays', headers: { 'x-hmac-sha256': sig }, body }), lambdaContext());
}
counts.clear();
let dups = 0;
for (;;) {
  const event = await harness.receive('goodays-events', 10);
  if (event.Records.length === 0) break;
  const outcome = await processor(event, lambdaContext(60_000));
  await harness.settle('goodays-events', event, outcome.batchItemFailures as { itemIdentifier: string }[]);
  dups += event.Records.length;
}
console.log(`DynamoDB requests per duplicate event: ${[...counts].filter(([k]) => k.startsWith('dynamodb')).map(([k, v]) => `${k.replace('dynamodb:', '')} ${(v / dups).toFixed(2)}`).join(', ')}`);
console.log('\nGoodays calls per action: 1 PUT, plus 1 GET /users per operator e-mail per 24 h (cached in goodays-users); retries: close, call and spam on 429/5xx; reply and message only on 429 and 503 with Retry-After (any other 5xx is an unknown outcome, never resent).');
await harness.stop();
