import { ChangeMessageVisibilityCommand, DeleteMessageCommand, ReceiveMessageCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSubscriptionQueues, type LocalQueue } from '#infra/local/emulators.ts';
import { createLambdaContext, type LambdaHandler } from '#infra/local/invoke.ts';
import { SUBSCRIPTION_QUEUE } from '#infra/topology/platform.ts';
import type { HubEvent } from '#platform/outbound/event.ts';
import { startTestAws, type TestAws } from '#test/helpers/emulators.ts';
import { eventually } from '#test/helpers/hub.ts';
import { newWebhookSecret, startReceiver } from '#test/helpers/receiver.ts';

/**
 * The delivery function on batches of a subscription queue: the real handler on dynalite (delivery
 * records) and fauxqs (the subscription queue and its DLQ), posting to a real receiver that verifies
 * each signature. The test plays Lambda's event source mapping: it receives up to 10 messages, invokes
 * the handler with them, and deletes those not reported in `batchItemFailures`.
 */
const MAX_RECEIVES = 3;
const TIMEOUT_MS = 1_000;
// Read after the harness has set the environment (the SDK clients take their endpoints at import).
let SAFETY_MARGIN_MS: number;
let DELIVERY_CONCURRENCY: number;
/** Remaining time an attempt needs to start: reserve, the POST's timeout and the writes after it. */
let ATTEMPT_MS: number;

type Answer = { status: number; delayMs?: number };
let plan: (id: string, attempt: number) => Answer = () => ({ status: 200 });
const attempts = new Map<string, number>();
let inFlight = 0;
let maxInFlight = 0;

let aws: TestAws<'outbound-deliveries' | 'quarantine'>;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let queue: LocalQueue;
let handler: LambdaHandler;
const previousEnv = new Map<string, string | undefined>();
const QUEUE_ARN = 'arn:aws:sqs:us-east-1:000000000000:switchboard-outbound-batch';

beforeAll(async () => {
  aws = await startTestAws({ tables: ['outbound-deliveries', 'quarantine'] });
  const secret = newWebhookSecret();
  receiver = await startReceiver(secret, (_n, d) => {
    const attempt = (attempts.get(d.id) ?? 0) + 1;
    attempts.set(d.id, attempt);
    const answer = plan(d.id, attempt);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    setTimeout(() => inFlight--, answer.delayMs ?? 0);
    return answer;
  });
  const queues = await createSubscriptionQueues(aws.sqs, ['batch'], { ...SUBSCRIPTION_QUEUE, maxReceiveCount: MAX_RECEIVES }, 180);
  queue = queues.batch as LocalQueue;
  const vars = {
    HUB_SUBSCRIPTIONS: JSON.stringify([{ id: 'batch', url: receiver.url, secret, events: ['*'] }]),
    HUB_SUBSCRIPTION_QUEUES: JSON.stringify([{ id: 'batch', queueArn: QUEUE_ARN, queueUrl: queue.url, dlqUrl: queue.dlqUrl }]),
    OUTBOUND_MAX_RECEIVES: String(MAX_RECEIVES),
    OUTBOUND_RETRY_BASE_SECONDS: '1',
    OUTBOUND_RETRY_CAP_SECONDS: '2',
    OUTBOUND_TIMEOUT_MS: String(TIMEOUT_MS),
  };
  for (const k of Object.keys(vars)) previousEnv.set(k, process.env[k]);
  Object.assign(process.env, vars);
  ({ handler } = (await import('#platform/handlers/outbound-delivery.ts')) as unknown as { handler: LambdaHandler });
  const consume = await import('#platform/outbound/consume.ts');
  ({ SAFETY_MARGIN_MS } = await import('#platform/queue-consumer.ts'));
  DELIVERY_CONCURRENCY = consume.DELIVERY_CONCURRENCY;
  ATTEMPT_MS = SAFETY_MARGIN_MS + TIMEOUT_MS + consume.DELIVERY_WRITES_MS;
}, 60_000);

afterAll(async () => {
  await receiver?.stop();
  await aws?.stop();
  for (const [k, v] of previousEnv) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

let serial = 0;
function events(n: number): HubEvent[] {
  const run = ++serial;
  return Array.from({ length: n }, (_, i) => ({ id: `evt-${run}-${i}`, type: 'test.thing.changed', version: 1, time: '2026-01-02T03:04:05Z', subject: `test:thing:${run}-${i}`, data: { n: i } }));
}

async function send(list: readonly HubEvent[]): Promise<void> {
  for (let i = 0; i < list.length; i += 10) {
    await aws.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queue.url,
        Entries: list.slice(i, i + 10).map((e, n) => ({ Id: String(n), MessageBody: JSON.stringify({ id: `bus-${e.id}-${n}`, 'detail-type': e.type, source: 'switchboard.test', detail: e }) })),
      }),
    );
  }
}

async function receive(url = queue.url): Promise<SQSRecord[]> {
  const out = await aws.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageSystemAttributeNames: ['All'], MessageAttributeNames: ['All'] }));
  return (out.Messages ?? []).map((m) => ({
    messageId: m.MessageId ?? '',
    receiptHandle: m.ReceiptHandle ?? '',
    body: m.Body ?? '',
    attributes: {
      ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1',
      SentTimestamp: m.Attributes?.SentTimestamp ?? '0',
      SenderId: 'local',
      ApproximateFirstReceiveTimestamp: m.Attributes?.ApproximateFirstReceiveTimestamp ?? '0',
    },
    messageAttributes: Object.fromEntries(Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [k, { dataType: 'String', stringValue: v.StringValue ?? '', stringListValues: [], binaryListValues: [] }])),
    md5OfBody: m.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: QUEUE_ARN,
    awsRegion: 'us-east-1',
  }));
}

const idOf = (r: SQSRecord): string => (JSON.parse(r.body) as { detail: { id: string } }).detail.id;

/** One invocation as the event source mapping makes it: `remainingMs` is the Lambda's time left. */
async function invoke(records: readonly SQSRecord[], remainingMs = 30_000): Promise<{ failed: Set<string>; endedWithMs: number }> {
  const start = Date.now();
  const left = () => remainingMs - (Date.now() - start);
  const res = (await handler({ Records: records }, createLambdaContext('outbound-delivery', left, 256))) as SQSBatchResponse;
  const endedWithMs = left();
  const failed = new Set(res.batchItemFailures.map((f) => f.itemIdentifier));
  for (const r of records) if (!failed.has(r.messageId)) await aws.sqs.send(new DeleteMessageCommand({ QueueUrl: queue.url, ReceiptHandle: r.receiptHandle }));
  return { failed, endedWithMs };
}

const release = (r: SQSRecord) => aws.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queue.url, ReceiptHandle: r.receiptHandle, VisibilityTimeout: 0 }));

async function depth(which: 'queue' | 'dlq'): Promise<number> {
  const res = await fetch(`${aws.sqsEndpoint}/_fauxqs/queues/${(which === 'queue' ? queue.url : queue.dlqUrl).split('/').pop()}`);
  const body = (await res.json()) as { messages: { ready: unknown[]; delayed: unknown[]; inflight: unknown[] } };
  return body.messages.ready.length + body.messages.delayed.length + body.messages.inflight.length;
}

async function drainDlq(): Promise<SQSRecord[]> {
  const all: SQSRecord[] = [];
  for (let batch = await receive(queue.dlqUrl); batch.length; batch = await receive(queue.dlqUrl)) {
    all.push(...batch);
    for (const r of batch) await aws.sqs.send(new DeleteMessageCommand({ QueueUrl: queue.dlqUrl, ReceiptHandle: r.receiptHandle }));
  }
  return all;
}

async function recordOf(id: string): Promise<Record<string, unknown> | undefined> {
  return (await aws.scan('outbound-deliveries')).find((i) => i.eventId === id);
}

const deliveredIds = () => receiver.received.map((r) => r.id);

describe('a batch of deliveries', () => {
  it('with one subscriber answer 500 delivers the others once and retries only the failing one', async () => {
    const list = events(10);
    const failing = list[3]?.id ?? '';
    plan = (id, attempt) => ({ status: id === failing && attempt === 1 ? 500 : 200 });
    await send(list);
    const batch = await receive();
    expect(batch).toHaveLength(10);
    const { failed } = await invoke(batch);
    expect([...failed].map((m) => idOf(batch.find((r) => r.messageId === m) as SQSRecord))).toEqual([failing]);
    expect(deliveredIds().filter((id) => id.startsWith(`evt-${serial}-`)).sort()).toEqual(list.filter((e) => e.id !== failing).map((e) => e.id).sort());
    expect(await recordOf(failing)).toMatchObject({ state: 'retrying', lastStatus: '500', attempts: 1 });
    // Only the failing one is still queued, hidden for its back-off (1-2 s), then seen again.
    expect(await depth('queue')).toBe(1);
    expect(await receive()).toEqual([]);
    const again = await eventually(async () => {
      const r = await receive();
      return r.length ? r : undefined;
    }, { timeoutMs: 10_000, intervalMs: 200 });
    expect(again.map(idOf)).toEqual([failing]);
    expect(again[0]?.attributes.ApproximateReceiveCount).toBe('2');
    expect((await invoke(again)).failed.size).toBe(0);
    // Every event once, the failing one with its same id on the retry.
    const ours = deliveredIds().filter((id) => id.startsWith(`evt-${serial}-`));
    expect(ours.sort()).toEqual(list.map((e) => e.id).sort());
    expect(attempts.get(failing)).toBe(2);
    expect(await recordOf(failing)).toMatchObject({ state: 'delivered', attempts: 2 });
    expect(await depth('queue')).toBe(0);
  }, 30_000);

  it('with one subscriber answer 410 keeps that one in the DLQ at once and delivers the rest', async () => {
    const list = events(8);
    const refused = list[5]?.id ?? '';
    plan = (id) => ({ status: id === refused ? 410 : 200 });
    await send(list);
    const batch = await receive();
    expect(batch).toHaveLength(8);
    expect((await invoke(batch)).failed.size).toBe(0);
    expect(deliveredIds().filter((id) => id.startsWith(`evt-${serial}-`)).sort()).toEqual(list.filter((e) => e.id !== refused).map((e) => e.id).sort());
    const dlq = await drainDlq();
    expect(dlq.map(idOf)).toEqual([refused]);
    expect(dlq[0]?.messageAttributes.reason?.stringValue).toBe('rejected');
    expect(await recordOf(refused)).toMatchObject({ state: 'rejected', lastStatus: '410' });
    expect(await depth('queue')).toBe(0);
  }, 30_000);

  it('with ten subscribers slow to the timeout attempts at most a bounded number at once and hands back, untouched, what cannot end before the reserve', async () => {
    const list = events(10);
    let slow = true;
    plan = () => (slow ? { status: 200, delayMs: TIMEOUT_MS + 500 } : { status: 200 });
    maxInFlight = 0;
    await send(list);
    const batch = await receive();
    expect(batch).toHaveLength(10);
    // Time for one round of attempts run to their timeout, not two.
    const { failed, endedWithMs } = await invoke(batch, ATTEMPT_MS + 500);
    const tried = list.filter((e) => attempts.has(e.id)).map((e) => e.id);
    expect(tried).toHaveLength(DELIVERY_CONCURRENCY);
    expect(maxInFlight).toBeLessThanOrEqual(DELIVERY_CONCURRENCY);
    // No attempt ran into the reserve, and every record is handed back: the tried ones for their back-off.
    expect(endedWithMs).toBeGreaterThanOrEqual(SAFETY_MARGIN_MS);
    expect(failed.size).toBe(10);
    for (const e of list) expect({ id: e.id, state: (await recordOf(e.id))?.state }).toEqual({ id: e.id, state: tried.includes(e.id) ? 'retrying' : undefined });
    expect(await depth('queue')).toBe(10);
    // None lost: seen again (the untouched ones sooner here than their visibility timeout), all delivered.
    slow = false;
    for (const r of batch) await release(r);
    const later = await receive();
    expect(later.map(idOf).sort()).toEqual(list.map((e) => e.id).sort());
    expect((await invoke(later)).failed.size).toBe(0);
    expect(receiver.unique().size).toBeGreaterThanOrEqual(10);
    for (const e of list) expect(deliveredIds()).toContain(e.id);
    expect(await depth('queue')).toBe(0);
  }, 30_000);
});

/** What a subscriber does with one event across its attempts. */
const Outcome = fc.oneof(
  fc.constant({ kind: 'ok' as const }),
  fc.integer({ min: 1, max: MAX_RECEIVES - 1 }).map((n) => ({ kind: 'fail-then-ok' as const, n })),
  fc.constant({ kind: 'always-500' as const }),
  fc.constant({ kind: 'refused' as const }),
  fc.constant({ kind: 'slow-once' as const }),
);
type Outcome = typeof Outcome extends fc.Arbitrary<infer T> ? T : never;

describe('batches with random outcomes, duplicates and time budgets', () => {
  it('deliver or dead-letter every event, never lose one', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ outcome: Outcome, copies: fc.integer({ min: 1, max: 2 }) }), { minLength: 1, maxLength: 14 }),
        fc.array(fc.constantFrom('plenty' as const, 'one-round' as const, 'none' as const), { minLength: 0, maxLength: 3 }),
        async (items, budgets) => {
          const list = events(items.length);
          const outcomes = new Map<string, Outcome>(list.map((e, i) => [e.id, (items[i] as { outcome: Outcome }).outcome]));
          plan = (id, attempt) => {
            const o = outcomes.get(id);
            if (!o || o.kind === 'ok') return { status: 200 };
            if (o.kind === 'refused') return { status: 410 };
            if (o.kind === 'always-500') return { status: 500 };
            if (o.kind === 'slow-once') return attempt === 1 ? { status: 200, delayMs: TIMEOUT_MS + 300 } : { status: 200 };
            return { status: attempt <= o.n ? 503 : 200 };
          };
          await send(list.flatMap((e, i) => Array.from({ length: (items[i] as { copies: number }).copies }, () => e)));
          for (let round = 0; round < 40; round++) {
            const batch = await receive();
            if (!batch.length) {
              if ((await depth('queue')) === 0) break;
              await new Promise((r) => setTimeout(r, 100));
              continue;
            }
            const budget = budgets[round] ?? 'plenty';
            const { failed } = await invoke(batch, budget === 'plenty' ? 30_000 : budget === 'one-round' ? ATTEMPT_MS + 300 : ATTEMPT_MS - 500);
            // The back-off and the visibility timeout pass at once here.
            for (const r of batch) if (failed.has(r.messageId)) await release(r);
          }
          expect(await depth('queue')).toBe(0);
          const dead = new Set((await drainDlq()).map(idOf));
          const delivered = new Set(deliveredIds());
          for (const e of list) {
            const o = outcomes.get(e.id)?.kind;
            const state = { id: e.id, o, delivered: delivered.has(e.id), dead: dead.has(e.id) };
            expect(state.delivered || state.dead, JSON.stringify(state)).toBe(true);
            if (o === 'refused' || o === 'always-500') expect(state, 'a failing subscriber never got it').toMatchObject({ delivered: false, dead: true });
          }
        },
      ),
      { numRuns: 12 },
    );
  }, 240_000);
});
