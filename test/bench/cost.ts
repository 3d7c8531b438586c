/**
 * Cost figures (`npm run bench -- cost`): a fixed mix through the local hub, every AWS request counted,
 * priced at list prices per 1M results.
 *
 * The mix, one phase at a time so each phase's requests are its own:
 * - Rungopher by webhook: `COST_CONTACTS` contacts (default 100) in one campaign, each sent every
 *   documented result type once (the doc's samples, new ids, increasing times), POSTed at concurrency
 *   16 through the local gateway, drained by the processor;
 * - Rungopher by poll: as many results again, for other contacts, held by the sandbox and read by
 *   one run of the poller;
 * - Goodays: `COST_RESPONSES` (default 50) signed `response` webhooks, then one reply per response
 *   through the operator API, sent to the sandbox by the action processor;
 * - Netcore: one users poll and the transcript jobs it queues (40 users active since the last poll on
 *   the four user channels, 50 messages each).
 *
 * Each phase runs twice on fresh data: once unmetered for the Lambda durations, once metered for the
 * requests and units.
 *
 * Outbound: the hub runs with `COST_SUBSCRIPTIONS` subscriptions (default 1) taking every event, each
 * delivered as a signed webhook to a receiver that verifies it with `standardwebhooks` and answers
 * 200; a phase ends once every queue, subscription queues included, is empty. The events published
 * (PutEvents entries, billed per 64 KB chunk, and their bytes for the archive) are counted at the local
 * bus; what each subscription adds is kept apart: the rule's SendMessage to its queue, the event
 * source's receive and delete, the delivery function's invocations and GB-seconds, and the units of
 * the `outbound-deliveries` table. "0 subscriptions" is the total without those; the bus and its
 * archive are paid with no subscription too.
 *
 * Counted: every request on the shared SDK clients by service and operation, DynamoDB units per table
 * and index (`test/helpers/cost-meter.ts`: write units from item sizes by DynamoDB's rules, since
 * dynalite reports table units only), Lambda invocations with their measured durations and declared
 * memory (GB-seconds), API Gateway requests (one per HTTP-triggered invocation) and the SQS requests
 * Lambda's event source mapping makes (one ReceiveMessage and one DeleteMessageBatch per batch;
 * the idle long polls between batches are a fixed cost per queue, not per result, and left out).
 * Local durations include the emulators and the load generator on the same two cores, so the Lambda
 * duration figure is an upper bound. Secrets Manager reads (cached 5 minutes per container) and
 * CloudWatch Logs are not per result and not counted.
 */
import { cpus, loadavg } from 'node:os';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { localName } from '#infra/local/emulators.ts';
import type { GoodaysSandbox } from '#infra/local/sandboxes/goodays.ts';
import type { NetcoreSandbox } from '#infra/local/sandboxes/netcore.ts';
import { sampleMessage } from '#infra/local/sandboxes/netcore-samples.ts';
import { MESSAGE_TYPES } from '#netcore/domain/messages.ts';
import type { InvocationEvent } from '#infra/local/hub.ts';
import type { QueueName, TableName } from '#infra/topology/index.ts';
import { functionList, subscriptionConsumer } from '#infra/topology/index.ts';
import { startCostMeter, type CostSnapshot } from '#test/helpers/cost-meter.ts';
import { startTestHub } from '#test/helpers/hub.ts';
import { newWebhookSecret, startReceiver } from '#test/helpers/receiver.ts';
import { DOC_SAMPLES } from '#test/rungopher/samples.ts';

/** us-east-1 list prices, USD, as published when this was written. */
export const PRICES_AS_OF = '2026-12-01';
export const PRICES = {
  /** API Gateway HTTP API, per request (first 300 million a month, each 512 KB metered as one). */
  apiGatewayHttpRequest: 1.0 / 1e6,
  /** Lambda requests. */
  lambdaRequest: 0.2 / 1e6,
  /** Lambda duration, arm64, per GB-second (first 7.5 billion GB-s a month). */
  lambdaArmGbSecond: 0.0000133334,
  /** SQS standard queue, per request (each started 64 KB chunk of payload is a request). */
  sqsRequest: 0.4 / 1e6,
  /** DynamoDB on-demand, Standard table class (after the November 2024 reduction). */
  dynamoWru: 0.625 / 1e6,
  dynamoRru: 0.125 / 1e6,
  /** EventBridge Scheduler invocations: schedules only, a fixed cost. */
  schedulerInvocation: 1.0 / 1e6,
  /** EventBridge custom events, per PutEvents entry (each started 64 KB chunk counted as one). */
  eventBridgeEvent: 1.0 / 1e6,
  /** EventBridge archive, per GB of events archived (storage, $0.023 per GB-month, is left out). */
  eventArchiveGb: 0.1,
} as const;

const CONTACTS = Number(process.env.COST_CONTACTS ?? 100);
const RESPONSES = Number(process.env.COST_RESPONSES ?? 50);
const NETCORE_USERS = 40;
const NETCORE_MESSAGES = 50;
const CONCURRENCY = 16;
const SUBSCRIPTIONS = Number(process.env.COST_SUBSCRIPTIONS ?? 1);
const httpFunctions = new Set<string>(functionList().filter((f) => f.trigger.kind === 'http').map((f) => f.name));
const delivery = subscriptionConsumer().name;
const queueOf = new Map<string, string>(functionList().flatMap((f): [string, string][] => (f.trigger.kind === 'queue' ? [[f.name, f.trigger.queue]] : f.trigger.kind === 'subscriptions' ? [[f.name, 'subscription queues']] : [])));
/** The table and index whose units each subscription adds (delivery records). */
const isDeliveryTable = (k: string) => k === localName('outbound-deliveries') || k.startsWith(`${localName('outbound-deliveries')}/`);

const secret = newWebhookSecret();
const receiver = await startReceiver(secret);
const subscriptionIds = Array.from({ length: SUBSCRIPTIONS }, (_, i) => `cost-${i}`);

let invocations: InvocationEvent[] = [];
let batches: { fn: string; received: number; failed: number }[] = [];
const hub = await startTestHub({
  env: { RUNGOPHER_SANDBOX_WEBHOOKS: 'off', HUB_SUBSCRIPTIONS: JSON.stringify(subscriptionIds.map((id) => ({ id, url: receiver.url, secret, events: ['*'] }))) },
  // Visibility as on AWS (6x the consumer's timeout): the test hub's 1 s would redeliver slow batches.
  visibilityTimeoutSeconds: undefined,
  onInvoke: (e) => invocations.push(e),
  onConsumerEvent: (e) => {
    if (e.received) batches.push(e);
  },
});
const meter = await startCostMeter(`http://127.0.0.1:${hub.dynamoPort}`);
const side = new DynamoDBClient({ endpoint: `http://127.0.0.1:${hub.dynamoPort}`, region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' } });

async function itemCount(table: TableName): Promise<number> {
  let n = 0;
  let start: Record<string, never> | undefined;
  do {
    const out = await side.send(new ScanCommand({ TableName: localName(table), Select: 'COUNT', ExclusiveStartKey: start }));
    n += out.Count ?? 0;
    start = out.LastEvaluatedKey as Record<string, never> | undefined;
  } while (start);
  return n;
}

async function drained(queues: QueueName[], timeoutMs = 300_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    let depth = 0;
    for (const q of queues) depth += await hub.queueDepth(q);
    // Then every event delivered: routed before its publisher's record finished, so after the queues.
    if (depth === 0) for (const id of subscriptionIds) depth += await hub.subscriptionDepth(id);
    if (depth === 0 && receiver.received.length + receiver.rejected < hub.published.routed) depth = hub.published.routed - receiver.received.length;
    if (depth === 0) return;
    if (Date.now() > until) throw new Error(`queues ${queues.join(', ')} still hold ${depth} messages`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Up to 3 tries of one request, as a vendor resends or an operator tool retries (with the same key). */
async function tries(one: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await one();
    } catch (err) {
      if (attempt >= 3) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

async function pool(count: number, one: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => { while (next < count) { const i = next++; await tries(() => one(i)); } }));
}

interface Phase {
  readonly name: string;
  readonly results: number;
  readonly unit: string;
  readonly snap: CostSnapshot;
  /** Invocations of the unmetered round (their durations), and its results. */
  readonly invocations: InvocationEvent[];
  readonly timedResults: number;
  readonly timedBatches: { fn: string; received: number }[];
  readonly metered: InvocationEvent[];
  readonly batches: { fn: string; received: number }[];
  /** The metered round's events: PutEvents entries, their 64 KB chunks and bytes, and messages routed to subscription queues. */
  readonly published: { entries: number; chunks: number; bytes: number; routed: number };
  readonly delivered: number;
}
const phases = new Map<string, Phase>();

/**
 * Runs a phase twice on fresh data, the same load each time: first with the meter paused, for the
 * Lambda durations (the meter's own reads would lengthen them), then metered, for requests, units,
 * batches and invocations. Every function shares this process and its two cores with the emulators
 * and the load generator, so a handler's wall time includes other handlers' work: the GB-seconds are
 * an upper bound of what Lambda, one invocation per environment, would bill.
 */
async function phase(name: string, unit: string, run: (round: number) => Promise<number>): Promise<void> {
  const rounds: { results: number; invocations: InvocationEvent[]; batches: typeof batches; published: Phase['published']; delivered: number }[] = [];
  for (const round of [0, 1]) {
    meter.paused = round === 0;
    meter.reset();
    invocations = [];
    batches = [];
    const before = { ...hub.published };
    const deliveredBefore = receiver.received.length;
    const results = await run(round);
    const p = hub.published;
    rounds.push({ results, invocations, batches, published: { entries: p.entries - before.entries, chunks: p.chunks - before.chunks, bytes: p.bytes - before.bytes, routed: p.routed - before.routed }, delivered: receiver.received.length - deliveredBefore });
  }
  meter.paused = true;
  const [timed, metered] = rounds as [(typeof rounds)[0], (typeof rounds)[0]];
  phases.set(name, { name, unit, results: metered.results, snap: meter.snapshot(), invocations: timed.invocations, timedResults: timed.results, timedBatches: timed.batches, metered: metered.invocations, batches: metered.batches, published: metered.published, delivered: metered.delivered });
}

let clock = Date.parse('2026-11-01T00:00:00Z');
function rungopherResults(first: number, contacts: number): string[] {
  const out: string[] = [];
  for (let c = 0; c < contacts; c++) {
    DOC_SAMPLES.forEach((s, k) => {
      clock += 1000;
      out.push(JSON.stringify({ ...s, campaignId: 9001, contactId: String(first + c), id: (first + c) * 100 + k, timestamp: new Date(clock).toISOString().replace('.000', '') }));
    });
  }
  return out;
}

// Rungopher by webhook, then by poll (other contacts).
const stored = () => itemCount('rungopher-results');
// Warm-up (not counted): modules loaded, connections open, code compiled.
meter.paused = true;
for (const body of rungopherResults(900_001, 5)) await fetch(`${hub.url}/webhooks/rungopher/${hub.env.RUNGOPHER_WEBHOOK_TOKEN}`, { method: 'POST', body }).then((r) => r.arrayBuffer());
await drained(['rungopher-results']);
await phase('rungopher webhook', 'result', async (round) => {
  const before = await stored();
  const bodies = rungopherResults(1 + round * 10_000, CONTACTS);
  const url = `${hub.url}/webhooks/rungopher/${hub.env.RUNGOPHER_WEBHOOK_TOKEN}`;
  await pool(bodies.length, async (i) => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: bodies[i] });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
  });
  await drained(['rungopher-results']);
  return (await stored()) - before;
});
await phase('rungopher poll', 'result', async (round) => {
  const before = await stored();
  const bodies = rungopherResults(100_001 + round * 10_000, CONTACTS).map((b) => JSON.parse(b) as unknown);
  const sandbox = hub.sandboxes.rungopher;
  if (!sandbox) throw new Error('no Rungopher sandbox');
  const res = await fetch(new URL('/_sandbox/results?deliver=false', sandbox.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(bodies) });
  if (!res.ok) throw new Error(`sandbox answered ${res.status}`);
  const outcome = await hub.runSchedule('rungopher-poller');
  if (!outcome.ok) throw new Error(`poller failed: ${outcome.error}`);
  // The events it published, delivered within the phase.
  await drained([]);
  return (await stored()) - before;
});

/** `COST_ONLY=rungopher` runs the Rungopher phases alone. */
const only = process.env.COST_ONLY;
// Goodays events, then one reply per response.
if (only !== 'rungopher') {
const goodays = hub.sandboxes.goodays as GoodaysSandbox | undefined;
if (!goodays) throw new Error('no Goodays sandbox');
const responseIds = [0, 1].map((round) => Array.from({ length: RESPONSES }, (_, i) => goodays.addResponse({ id: `cost${round}x${String(i).padStart(5, '0')}`, source: 'email' })));
await phase('goodays event', 'event', async (round) => {
  const ids = responseIds[round] ?? [];
  const before = await itemCount('goodays-events');
  await pool(ids.length, async (i) => {
    const r = await goodays.sendWebhook('response', ids[i] ?? '');
    if (r.status !== 200) throw new Error(`goodays webhook answered ${r.status}`);
  });
  await drained(['goodays-events']);
  return (await itemCount('goodays-events')) - before;
});
await phase('goodays reply', 'reply', async (round) => {
  const ids = responseIds[round] ?? [];
  const before = goodays.outbox().length;
  await pool(ids.length, async (i) => {
    const res = await fetch(`${hub.url}/goodays/responses/${ids[i] ?? ''}/reply`, {
      method: 'POST',
      headers: { authorization: `Bearer ${hub.env.HUB_OPERATOR_TOKEN}`, 'content-type': 'application/json', 'idempotency-key': `cost-${round}-${i}` },
      body: JSON.stringify({ content: 'Thank you for your feedback.', user: 'jennifer.parker@cs.example.com' }),
    });
    await res.arrayBuffer();
    if (res.status !== 202) throw new Error(`reply answered ${res.status}`);
  });
  await drained(['goodays-actions']);
  return goodays.outbox().length - before;
});

// Netcore: one users poll and its transcript jobs, over users active since the last poll.
const netcore = hub.sandboxes.netcore as NetcoreSandbox | undefined;
if (!netcore) throw new Error('no Netcore sandbox');
const CHANNELS = [1010, 1014, 1016, 1017] as const;
await phase('netcore sync', 'transcript', async (round) => {
  const now = Date.now();
  for (let u = 0; u < NETCORE_USERS; u++) {
    const channelId = CHANNELS[u % CHANNELS.length] ?? 1010;
    const userId = `cost-${round}-${u}`;
    netcore.addUser({ userId, channelId, lastInteracted: new Date(now - 60_000).toISOString() });
    for (let m = 0; m < NETCORE_MESSAGES; m++) netcore.addMessage(userId, channelId, sampleMessage(MESSAGE_TYPES[m % MESSAGE_TYPES.length] ?? 'text', new Date(now - 86_400_000 + m * 1000).toISOString(), m % 2 ? 'Bot' : 'User', `#${m}`));
  }
  const before = await itemCount('netcore-transcripts');
  const outcome = await hub.runSchedule('netcore-users-poller');
  if (!outcome.ok) throw new Error(`users poller failed: ${outcome.error}`);
  await drained(['netcore-transcripts']);
  return (await itemCount('netcore-transcripts')) - before;
});

}

meter.stop();
side.destroy();
await hub.cleanup();
await receiver.stop();

// Figures.
const per = (n: number, d: number) => (d ? n / d : 0);
const money = (usd: number) => `$${usd.toFixed(2)}`;
interface Bill {
  apiGateway: number;
  lambdaRequests: number;
  lambdaDuration: number;
  sqs: number;
  dynamoWrites: number;
  dynamoReads: number;
  /** EventBridge: the events put on the bus and their archive (paid with no subscription too). */
  eventBridge: number;
  /** What the subscriptions add (all of them): queue sends, event source, delivery Lambda, delivery records. */
  deliveries: number;
}
function bill(p: Phase): { bill: Bill; detail: string[] } {
  // Invocations from the metered round; durations from the timed one: per invocation for HTTP and
  // scheduled functions, per record for queue consumers (the metered round's batches are fuller).
  const apiRequests = p.metered.filter((i) => httpFunctions.has(i.fn)).length;
  const timedRecords = (fn: string) => p.timedBatches.filter((b) => b.fn === fn).reduce((n, b) => n + b.received, 0);
  const meteredRecords = (fn: string) => p.batches.filter((b) => b.fn === fn).reduce((n, b) => n + b.received, 0);
  const gbsOf = (fn: string): number => {
    const timed = p.invocations.filter((i) => i.fn === fn);
    const gbs = timed.reduce((s, i) => s + (Math.ceil(i.durationMs) / 1000) * (i.memoryMb / 1024), 0);
    if (queueOf.has(fn)) return per(gbs, timedRecords(fn)) * meteredRecords(fn);
    return per(gbs, timed.length) * p.metered.filter((i) => i.fn === fn).length;
  };
  const fns = [...new Set([...p.invocations, ...p.metered].map((i) => i.fn))];
  const gbSeconds = fns.filter((fn) => fn !== delivery).reduce((s, fn) => s + gbsOf(fn), 0);
  const esm = p.batches.filter((b) => b.fn !== delivery).length * 2;
  const sqsRequests = Object.entries(p.snap.requests).filter(([k]) => k.startsWith('sqs:')).reduce((s, [, v]) => s + v, 0) + esm;
  const hubUnits = Object.entries(p.snap.units).filter(([k]) => !isDeliveryTable(k)).map(([, u]) => u);
  const deliveryUnits = Object.entries(p.snap.units).filter(([k]) => isDeliveryTable(k)).map(([, u]) => u);
  const wru = hubUnits.reduce((s, u) => s + u.wru, 0);
  const rru = hubUnits.reduce((s, u) => s + u.rru, 0);
  // Each subscription: the rule's SendMessage per routed event, the event source's receive and delete
  // per batch, the delivery function, its records.
  const deliveryInvocations = p.metered.filter((i) => i.fn === delivery).length;
  const deliveryCost =
    (p.published.routed + p.batches.filter((b) => b.fn === delivery).length * 2) * PRICES.sqsRequest +
    deliveryInvocations * PRICES.lambdaRequest +
    gbsOf(delivery) * PRICES.lambdaArmGbSecond +
    deliveryUnits.reduce((s, u) => s + u.wru * PRICES.dynamoWru + u.rru * PRICES.dynamoRru, 0);
  const detail: string[] = [];
  detail.push(`EventBridge: ${per(p.published.entries, p.results).toFixed(3)} events (${per(p.published.chunks, p.results).toFixed(3)} billed 64 KB chunks, ${per(p.published.bytes, p.results).toFixed(0)} bytes) per ${p.unit}; ${per(p.published.routed, p.results).toFixed(3)} sent to subscription queues, ${per(p.delivered, p.results).toFixed(3)} webhooks delivered and verified`);
  detail.push(`API Gateway requests per ${p.unit}: ${per(apiRequests, p.results).toFixed(3)}`);
  for (const fn of fns) {
    const timed = p.invocations.filter((i) => i.fn === fn);
    const ms = timed.reduce((s, i) => s + i.durationMs, 0);
    const each = queueOf.has(fn) ? `${per(ms, timedRecords(fn)).toFixed(1)} ms per record timed` : `${per(ms, timed.length).toFixed(1)} ms per invocation timed`;
    detail.push(`Lambda ${fn}: ${per(p.metered.filter((i) => i.fn === fn).length, p.results).toFixed(3)} invocations and ${per(gbsOf(fn), p.results).toFixed(5)} GB-s per ${p.unit} (${each})`);
  }
  for (const [k, v] of Object.entries(p.snap.requests).sort()) detail.push(`${k}: ${per(v, p.results).toFixed(3)} per ${p.unit}`);
  const esmByQueue = new Map<string, number>();
  for (const b of p.batches) esmByQueue.set(queueOf.get(b.fn) ?? b.fn, (esmByQueue.get(queueOf.get(b.fn) ?? b.fn) ?? 0) + 1);
  for (const [q, n] of esmByQueue) detail.push(`sqs:ReceiveMessage + DeleteMessageBatch (event source mapping, ${q}, ${(p.batches.filter((b) => (queueOf.get(b.fn) ?? b.fn) === q).reduce((s, b) => s + b.received, 0) / n).toFixed(1)} per batch): ${per(2 * n, p.results).toFixed(3)} per ${p.unit}`);
  for (const [k, u] of Object.entries(p.snap.units).sort()) detail.push(`DynamoDB ${k}: ${per(u.wru, p.results).toFixed(3)} WRU, ${per(u.rru, p.results).toFixed(3)} RRU per ${p.unit}`);
  return {
    bill: {
      apiGateway: apiRequests * PRICES.apiGatewayHttpRequest,
      lambdaRequests: (p.metered.length - deliveryInvocations) * PRICES.lambdaRequest,
      lambdaDuration: gbSeconds * PRICES.lambdaArmGbSecond,
      sqs: sqsRequests * PRICES.sqsRequest,
      dynamoWrites: wru * PRICES.dynamoWru,
      dynamoReads: rru * PRICES.dynamoRru,
      eventBridge: p.published.chunks * PRICES.eventBridgeEvent + (p.published.bytes / 1024 ** 3) * PRICES.eventArchiveGb,
      deliveries: deliveryCost,
    },
    detail,
  };
}
const total = (b: Bill) => Object.values(b).reduce((s, v) => s + v, 0);
/** The bill with no subscription: the bus and its archive stay, the deliveries go. */
const withoutSubscriptions = (b: Bill) => total(b) - b.deliveries;
const oneSubscription = (b: Bill) => withoutSubscriptions(b) + (SUBSCRIPTIONS ? b.deliveries / SUBSCRIPTIONS : 0);
const scale = (b: Bill, k: number): Bill => Object.fromEntries(Object.entries(b).map(([n, v]) => [n, v * k])) as unknown as Bill;

console.log(`\nmachine load average at the end: ${loadavg().map((l) => l.toFixed(1)).join(', ')} (${cpus().length} cores)`);
console.log(`\n## Cost per 1M results at us-east-1 list prices of ${PRICES_AS_OF} (local hub, ${CONTACTS} Rungopher contacts x ${DOC_SAMPLES.length} results per path, ${RESPONSES} Goodays responses)`);
console.log(`(${SUBSCRIPTIONS} subscription(s) taking every event measured; "each subscription" is their part divided by ${SUBSCRIPTIONS || 1})`);
console.log('path | results | API Gateway | Lambda requests | Lambda GB-s | SQS | DynamoDB writes | DynamoDB reads | EventBridge + archive | each subscription | total per 1M, 0 subscriptions | 1 subscription');
const rungopher: Bill[] = [];
let rungopherResultsTotal = 0;
const details: string[] = [];
for (const p of phases.values()) {
  const { bill: b, detail } = bill(p);
  const m = scale(b, per(1e6, p.results));
  console.log(`${p.name} | ${p.results} ${p.unit}s | ${money(m.apiGateway)} | ${money(m.lambdaRequests)} | ${money(m.lambdaDuration)} | ${money(m.sqs)} | ${money(m.dynamoWrites)} | ${money(m.dynamoReads)} | ${money(m.eventBridge)} | ${money(SUBSCRIPTIONS ? m.deliveries / SUBSCRIPTIONS : 0)} | **${money(withoutSubscriptions(m))}** | **${money(oneSubscription(m))}**`);
  if (p.name.startsWith('rungopher')) {
    rungopher.push(b);
    rungopherResultsTotal += p.results;
  }
  details.push(`\n### ${p.name} (${p.results} ${p.unit}s)`, ...detail);
  for (const [k, v] of Object.entries(p.snap.partitions)) if (v.total) details.push(`writes on ${k}: busiest partition key ${((100 * v.busiest) / v.total).toFixed(1)}% of ${v.total} (${v.keys} keys)`);
}
const rg = rungopher.reduce((a, b) => Object.fromEntries(Object.entries(a).map(([k, v]) => [k, v + b[k as keyof Bill]])) as unknown as Bill);
const rgm = scale(rg, per(1e6, rungopherResultsTotal));
console.log(`\n**Rungopher, webhook and poll together: ${money(withoutSubscriptions(rgm))} per 1M results with no subscription, ${money(oneSubscription(rgm))} with one (each further subscription ${money(oneSubscription(rgm) - withoutSubscriptions(rgm))})**`);
for (const line of details) console.log(line);
