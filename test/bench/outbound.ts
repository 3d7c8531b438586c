/**
 * Outbound figures: events and AWS requests each stored Rungopher result adds, and their cost per 1M
 * results at list prices, measured on the local runtime (the same functions, requests counted on the
 * shared SDK clients and at the local bus). Two runs of the same results: without a subscription and
 * with one taking every event; the difference is what outbound adds.
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
  const hub = await startTestHub({
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
  const out = { counts: new Map(counts), published: { ...hub.published }, delivered: receiver.received.length, unique: receiver.unique().size };
  (dynamo.middlewareStack as unknown as { remove(n: string): void }).remove(`count-dynamodb-${withSubscription ? 'sub' : 'none'}`);
  (sqs.middlewareStack as unknown as { remove(n: string): void }).remove(`count-sqs-${withSubscription ? 'sub' : 'none'}`);
  await hub.cleanup();
  await receiver.stop();
  return out;
}

// Each run in its own process: the SDK clients take the emulators' endpoints once, when first loaded.
type Out = { counts: Map<string, number>; published: { requests: number; entries: number }; delivered: number; unique: number };
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

// List prices (us-east-1, on demand): EventBridge custom events $1.00/M (64 KB chunks); archive $0.10/GB;
// SQS standard $0.40/M requests (the rule's SendMessage is SQS's, EventBridge's delivery to SQS is free);
// Lambda $0.20/M requests + arm64 $0.0000133334/GB-s (256 MB, 100 ms assumed per delivery); DynamoDB
// $0.625/M write units, $0.125/M read units (an item under 1 KB; the delivery record also writes its index).
const events = (sub.published.entries - base.published.entries) / N;
const sqsAdded = [...sub.counts.entries()].filter(([k]) => k.startsWith('sqs:')).reduce((n, [k, v]) => n + v - (base.counts.get(k) ?? 0), 0) / N;
const writes = ['dynamodb:UpdateCommand', 'dynamodb:PutCommand'].reduce((n, k) => n + (sub.counts.get(k) ?? 0) - (base.counts.get(k) ?? 0), 0) / N;
// EventBridge's SendMessage to the subscription queue happens in the router here, outside the SDK clients.
const sqsTotal = sqsAdded + events;
const deliveries = sub.delivered / N;
const lambda = deliveries * (0.2 + 0.25 * 0.1 * 13.3334);
const indexWrites = deliveries; // bySubject index of each delivery record
const rows = [
  ['EventBridge events', events * 1.0],
  ['EventBridge archive (≈1.5 KB an event)', events * 1.5e-6 * 0.1 * 1000],
  ['SQS requests', sqsTotal * 0.4],
  ['Lambda (delivery)', lambda],
  ['DynamoDB writes (records, summary, index)', (writes + indexWrites) * 0.625],
] as const;
console.log('\n| added cost per 1M stored results, one subscription | USD |');
console.log('|---|---|');
for (const [k, v] of rows) console.log(`| ${k} | ${v.toFixed(2)} |`);
console.log(`| total | ${rows.reduce((n, [, v]) => n + v, 0).toFixed(2)} |`);
process.exit(0);
