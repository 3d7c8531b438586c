/**
 * Outbound figures: events and AWS requests each stored Rungopher result adds, and their cost per 1M
 * results at list prices, measured on the local runtime (the same functions, requests counted on the
 * shared SDK clients and at the local bus). Two runs of the same results: without a subscription and
 * with one taking every event; the difference is what each subscription adds (the events themselves
 * are published with no subscription too). Dollars are the cost bench's (`npm run bench -- cost`).
 * Run: `npm run bench -- outbound` (prints a table; no assertions).
 */
import { spawnSync } from 'node:child_process';
import { startTestHub } from '#test/helpers/hub.ts';
import { newWebhookSecret, startReceiver } from '#test/helpers/receiver.ts';
import { makeResult } from '#test/rungopher/samples.ts';

const N = Number(process.argv[2] ?? 200);
type Next = (args: unknown) => Promise<unknown>;
type Stack = { add(mw: (next: Next, context: unknown) => Next, options: { step: 'initialize'; name: string }): void };

async function run(withSubscription: boolean) {
  const secret = newWebhookSecret();
  const receiver = await startReceiver(secret);
  let batches = 0;
  let batched = 0;
  const hub = await startTestHub({
    // The event source's requests: one ReceiveMessage and one DeleteMessageBatch per batch it hands the delivery function.
    onConsumerEvent: (e) => {
      if (e.fn === 'outbound-delivery' && e.received) {
        batches++;
        batched += e.received;
      }
    },
    // Visibility as on AWS (6x the consumer's timeout): the test hub's 1 s would redeliver records still
    // being processed on a loaded machine, and each redelivery publishes its events again.
    visibilityTimeoutSeconds: undefined,
    env: { RUNGOPHER_SANDBOX_WEBHOOKS: 'off', ...(withSubscription ? { HUB_SUBSCRIPTIONS: JSON.stringify([{ id: 'all', url: receiver.url, secret, events: ['*'] }]) } : {}) },
  });
  const { dynamo, sqs } = await import('#platform/aws.ts');
  const counts = new Map<string, number>();
  for (const [name, client] of [['dynamodb', dynamo], ['sqs', sqs]] as const) {
    (client.middlewareStack as unknown as Stack).add(
      (next, context) => async (args) => {
        const key = `${name}:${String((context as { commandName?: string }).commandName)}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
        return next(args);
      },
      { step: 'initialize', name: `count-${name}-${withSubscription ? 'sub' : 'none'}` },
    );
  }
  for (let i = 0; i < N; i++) {
    const res = await fetch(`${hub.url}/webhooks/rungopher/${hub.env.RUNGOPHER_WEBHOOK_TOKEN}`, { method: 'POST', body: JSON.stringify(makeResult({ id: 990_000 + i, contactId: `bench-${i}` })) });
    await res.arrayBuffer();
  }
  const until = Date.now() + 120_000;
  const expected = withSubscription ? 2 * N : 0;
  while (Date.now() < until && ((await hub.queueDepth('rungopher-results')) > 0 || receiver.unique().size < expected)) await new Promise((r) => setTimeout(r, 200));
  await new Promise((r) => setTimeout(r, 1500));
  const out = { counts: new Map(counts), published: { ...hub.published }, delivered: receiver.received.length, unique: receiver.unique().size, batches, batched };
  (dynamo.middlewareStack as unknown as { remove(n: string): void }).remove(`count-dynamodb-${withSubscription ? 'sub' : 'none'}`);
  (sqs.middlewareStack as unknown as { remove(n: string): void }).remove(`count-sqs-${withSubscription ? 'sub' : 'none'}`);
  await hub.cleanup();
  await receiver.stop();
  return out;
}

// Each run in its own process: the SDK clients take the emulators' endpoints once, when first loaded.
type Out = { counts: Map<string, number>; published: { requests: number; entries: number; chunks: number; bytes: number; routed: number }; delivered: number; unique: number; batches: number; batched: number };
const mode = process.argv[3];
if (mode) {
  const out = await run(mode === 'with');
  console.log(`RESULT ${JSON.stringify({ ...out, counts: [...out.counts] })}`);
  process.exit(0);
}
const child = (m: string): Out => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', import.meta.filename, String(N), m], { encoding: 'utf8', env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT' } });
  const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`bench run ${m} printed no result:\n${r.stdout}\n${r.stderr}`);
  const parsed = JSON.parse(line.slice(7)) as Omit<Out, 'counts'> & { counts: [string, number][] };
  return { ...parsed, counts: new Map(parsed.counts) };
};
const base = child('without');
const sub = child('with');
const per = (n: number) => (n / N).toFixed(2);
const keys = [...new Set([...base.counts.keys(), ...sub.counts.keys()])].sort();
console.log(`${N} distinct results, one subscription taking every event (receiver answers 200)`);
console.log('| per stored result | without subscription | with one | added |');
console.log('|---|---|---|---|');
console.log(`| events published (PutEvents entries) | ${per(base.published.entries)} | ${per(sub.published.entries)} | ${per(sub.published.entries - base.published.entries)} |`);
console.log(`| PutEvents requests | ${per(base.published.requests)} | ${per(sub.published.requests)} | ${per(sub.published.requests - base.published.requests)} |`);
for (const k of keys) console.log(`| ${k} | ${per(base.counts.get(k) ?? 0)} | ${per(sub.counts.get(k) ?? 0)} | ${per((sub.counts.get(k) ?? 0) - (base.counts.get(k) ?? 0))} |`);
console.log(`| webhooks delivered (unique ids) | 0 | ${per(sub.delivered)} (${per(sub.unique)}) | |`);

console.log(`| events sent to the subscription's queue (the rule's SendMessage) | ${per(base.published.routed)} | ${per(sub.published.routed)} | ${per(sub.published.routed - base.published.routed)} |`);
console.log(`| event source ReceiveMessage + DeleteMessageBatch (${(sub.batched / Math.max(1, sub.batches)).toFixed(1)} events per batch) | 0.00 | ${per(2 * sub.batches)} | ${per(2 * sub.batches)} |`);
console.log(`| outbound-delivery invocations | 0.00 | ${per(sub.batches)} | ${per(sub.batches)} |`);
console.log(`| event bytes per stored result (what the archive takes in) | ${(base.published.bytes / N).toFixed(0)} | ${(sub.published.bytes / N).toFixed(0)} | |`);
console.log('\nPriced per 1M results, with 0 and 1 subscription, by `npm run bench -- cost` (the same counts, units per table and index, Lambda durations).');
process.exit(0);
