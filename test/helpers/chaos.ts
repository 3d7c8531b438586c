import { createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describeEvent } from '#goodays/domain/thread.ts';
import { goodaysEvent } from '#test/goodays/fixtures.ts';
import { makeResult } from '#test/rungopher/samples.ts';
import type { FaultProxy } from './fault-proxy.ts';
import { startFaultProxy } from './fault-proxy.ts';
import type { StartedHub } from './npm-start.ts';
import { spawnHub } from './npm-start.ts';
import { newWebhookSecret, startReceiver } from './receiver.ts';

/** One fault the harness injected: what, when (ms from the run's start), and how many requests it hit. */
export interface Fault {
  readonly kind: string;
  readonly startMs: number;
  endMs: number;
  /** Requests it reset, stalled or held (proxies, sandbox), or that got no answer or a 5xx while it lasted. */
  requestsHit: number;
  /** For a kill: messages fauxqs held per queue right after it (answered, not yet stored and deleted). */
  inFlightAtKill?: Readonly<Record<string, number>>;
  /** What else it showed (the store-then-crash window's result id, ...). */
  note?: string;
}

/** What a fault run saw. */
export interface ChaosFigures {
  readonly webhooks: { readonly rungopher: number; readonly goodays: number };
  readonly sends: number;
  readonly faults: readonly Fault[];
  readonly acknowledged: { readonly rungopher: number; readonly goodays: number };
  readonly stored: { readonly rungopher: number; readonly goodays: number };
  /** Acknowledged, never stored. */
  readonly lost: number;
  /**
   * Results and events the processors reported as first stored more than once, read from the hubs'
   * own log lines (`Result stored`, `Goodays event processed … result=stored`) across every restart:
   * the conditional write lets one first store per vendor id, so a second means a store was undone
   * (lost by the emulator) or not idempotent. Plus message ids found twice in one thread.
   */
  readonly storedTwice: number;
  /** First stores logged, and duplicates logged (redeliveries and resends recognised). */
  readonly firstStores: number;
  readonly duplicatesRecognised: number;
  /** Goodays responses the sandbox received more than one reply PUT for (its own record, across restarts). */
  readonly repliesTwice: number;
  readonly replies: { readonly responses: number; readonly accepted: number; readonly putsReceived: number; readonly secondOperatorAccepted: number; readonly secondOperatorRefused: number };
  /** 5xx answered to valid webhooks; of those outside every fault window (must be 0). */
  readonly valid5xx: number;
  readonly valid5xxOutsideFaults: number;
  /** Distinct webhooks that got a 5xx, and of those how many were resent until a 200 and then stored. */
  readonly ids5xx: number;
  readonly ids5xxResentAndStored: number;
  /** Bad input sent (malformed, bad signature or token, oversized, bad operator parameters) and 5xx to it. */
  readonly badSent: number;
  readonly bad5xx: number;
  /** 5xx to bad input that needs storage (a quarantine) inside a DynamoDB window: allowed, reported apart. */
  readonly bad5xxInsideFaults: number;
  readonly badStatuses: Readonly<Record<string, number>>;
  readonly netcorePolls: { readonly ok: number; readonly failed: number };
  /** Requests that got no answer (the kills, the stalls), each resent. */
  readonly noAnswer: number;
  /** Valid webhooks never answered 200 after every resend (must be 0). */
  readonly neverAcknowledged: number;
  readonly drainMs: number;
  /** False when the drain limit passed first: `lost` then counts what was not stored by then. */
  readonly drained: boolean;
  /**
   * The subscriber (when `subscriber`): webhooks it verified with `standardwebhooks` (and distinct ids),
   * signatures it refused, acknowledged results with no `rungopher.result.stored` delivered, and
   * acknowledged Goodays threads whose stored version was never delivered as `goodays.thread.updated`.
   */
  readonly outbound?: { readonly delivered: number; readonly unique: number; readonly badSignatures: number; readonly resultsUndelivered: number; readonly threadsBehind: number; readonly waitMs: number };
  readonly totalMs: number;
}

export interface ChaosOptions {
  /** Valid webhooks in all, Rungopher and Goodays. */
  readonly webhooks: number;
  /** Whole-hub SIGKILLs: the first under load, the next right after a restart. */
  readonly kills: number;
  /** Share of the webhooks that are Goodays events. @default 0.3 */
  readonly goodaysShare?: number;
  /** Goodays responses an operator replies to during the load. @default min(100, webhooks / 50) */
  readonly replies?: number;
  /** Length of the DynamoDB window and of the SQS window (0: none). @default 3000 */
  readonly outageMs?: number;
  /** A kill between a result's store and its message's delete. @default true */
  readonly storeDeleteCrash?: boolean;
  /** An SQS window besides the DynamoDB one. @default true */
  readonly sqsOutage?: boolean;
  /** Goodays action requests each sandbox fault (reset before, reset after, hang) takes. @default 2 */
  readonly actionFaults?: number;
  /** Bad requests, as a share of the webhooks (at least 12). @default 0.03 */
  readonly badShare?: number;
  readonly concurrency?: number;
  readonly idBase?: number;
  readonly seed?: number;
  readonly drainMs?: number;
  /**
   * A subscriber (a local receiver verifying every delivery with `standardwebhooks`) takes the
   * Rungopher results and Goodays threads as signed webhooks all through the run. @default false
   */
  readonly subscriber?: boolean;
  readonly log?: (line: string) => void;
}

/** A deterministic generator (mulberry32), so a run can be repeated. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function shuffle<T>(items: T[], rand: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Item =
  | { readonly kind: 'rungopher'; readonly id: number; readonly body: string }
  | { readonly kind: 'goodays'; readonly key: string; readonly body: string }
  | { readonly kind: 'bad'; readonly name: string; readonly needsStorage: boolean; readonly send: (hub: StartedHub) => Promise<Response> };

/** Messages fauxqs keeps per queue in a stopped hub's data folder (ready, delayed or in flight). */
export function queuedByQueue(dataDir: string): Record<string, number> {
  const file = join(dataDir, 'sqs', 'fauxqs.db');
  if (!existsSync(file)) return {};
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    const rows = db.prepare('SELECT queue_name AS q, count(*) AS n FROM sqs_messages GROUP BY queue_name').all() as { q: string; n: number }[];
    return Object.fromEntries(rows.filter((r) => Number(r.n) > 0).map((r) => [r.q.replace(/^switchboard-/, ''), Number(r.n)]));
  } finally {
    db.close();
  }
}

async function scanKeys(dynamoPort: number, table: string, key: (item: Record<string, unknown>) => string, projection: string): Promise<string[]> {
  const raw = new DynamoDBClient({ endpoint: `http://127.0.0.1:${dynamoPort}`, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const doc = DynamoDBDocumentClient.from(raw);
  const out: string[] = [];
  let start: Record<string, unknown> | undefined;
  try {
    do {
      const page = await doc.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start, ProjectionExpression: projection }));
      for (const item of page.Items ?? []) out.push(key(item));
      start = page.LastEvaluatedKey;
    } while (start);
  } finally {
    raw.destroy();
  }
  return out;
}

async function threadMessageDoubles(dynamoPort: number): Promise<number> {
  const raw = new DynamoDBClient({ endpoint: `http://127.0.0.1:${dynamoPort}`, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const doc = DynamoDBDocumentClient.from(raw);
  let doubles = 0;
  let start: Record<string, unknown> | undefined;
  try {
    do {
      const page = await doc.send(new ScanCommand({ TableName: 'switchboard-goodays-threads', ExclusiveStartKey: start }));
      for (const item of page.Items ?? []) {
        const thread = item.thread as { messages?: { id?: string }[]; eventKeys?: string[] } | undefined;
        const ids = (thread?.messages ?? []).map((m) => String(m.id));
        doubles += ids.length - new Set(ids).size;
        const keys = thread?.eventKeys ?? [];
        doubles += keys.length - new Set(keys).size;
      }
      start = page.LastEvaluatedKey;
    } while (start);
  } finally {
    raw.destroy();
  }
  return doubles;
}

/**
 * The fault run. `webhooks` valid webhooks (Rungopher results and signed Goodays response, message and
 * delegated events), each sent 1–3 times, and a share of bad requests, all shuffled and sent at
 * `concurrency` into `npm start` on `dataDir`, whose functions reach DynamoDB and SQS through proxies
 * of the harness. While it runs: operators reply to Goodays responses (a second operator tries again
 * after a stale event on every third), Netcore polls run, and the harness injects, by progress of the
 * acknowledged webhooks, a DynamoDB window (connections reset), whole-hub SIGKILLs with restarts on the
 * same folder, an SQS window (requests stalled), a kill between a result's store and its message's
 * delete, and Goodays action endpoints that reset or hang. Anything not answered 200 is resent, as the
 * vendors do. Then it waits (at most `drainMs`) until every acknowledged webhook is stored and counts.
 * Returns the figures and the last hub (the caller stops it).
 */
export async function chaosRun(dataDir: string, opts: ChaosOptions): Promise<{ figures: ChaosFigures; hub: StartedHub }> {
  const t0 = Date.now();
  const at = (): number => Date.now() - t0;
  const log = opts.log ?? ((): void => undefined);
  const rand = random(opts.seed ?? 9);
  const idBase = opts.idBase ?? 800_000;
  const concurrency = opts.concurrency ?? 32;
  const outageMs = opts.outageMs ?? 3000;
  const nGoodays = Math.round(opts.webhooks * (opts.goodaysShare ?? 0.3));
  const nRungopher = opts.webhooks - nGoodays;
  const nReplies = opts.replies ?? Math.min(100, Math.floor(opts.webhooks / 50));

  const dynamoProxy = await startFaultProxy();
  const sqsProxy = await startFaultProxy();
  const webhookSecret = newWebhookSecret();
  const receiver = opts.subscriber ? await startReceiver(webhookSecret) : undefined;
  const subscriptions: Record<string, string> = receiver ? { HUB_SUBSCRIPTIONS: JSON.stringify([{ id: 'chaos', url: receiver.url, secret: webhookSecret, events: ['rungopher.result.stored', 'goodays.thread.updated'] }]) } : {};
  const env = { HUB_DYNAMODB_URL: dynamoProxy.url, HUB_SQS_URL: sqsProxy.url, POWERTOOLS_LOG_LEVEL: 'INFO', ...subscriptions };
  const outputs: (() => string)[] = [];
  const start = async (): Promise<StartedHub> => {
    const h = await spawnHub(dataDir, { env });
    dynamoProxy.target(h.dynamoPort);
    sqsProxy.target(h.sqsPort);
    outputs.push(h.output);
    return h;
  };
  let hub = await start();
  const secret = (hub.secrets.GOODAYS_HMAC_SECRETS ?? '').split(',')[0] ?? '';
  const sign = (body: string) => createHmac('sha256', secret).update(body).digest('hex');
  const sandbox = () => (hub.sandboxUrls.goodays ?? '').replace(/\/v2$/, '');

  // The workload: valid webhooks 1–3 times each, bad requests once each.
  const items: Item[] = [];
  for (let i = 0; i < nRungopher; i++) {
    const id = idBase + i;
    const body = JSON.stringify(makeResult({ id, contactId: `chaos-${id % 97}`, resultName: `q${id % 7}` }));
    for (let c = 0; c <= (i * 7 + 1) % 3; c++) items.push({ kind: 'rungopher', id, body });
  }
  const types = ['response', 'message', 'delegated'] as const;
  for (let k = 0; k < nGoodays; k++) {
    const type = types[k % 3] ?? 'response';
    const minute = String(k % 60).padStart(2, '0');
    const atTime = `2026-11-${String(1 + (k % 28)).padStart(2, '0')}T10:${minute}:${String(Math.floor(k / 60) % 60).padStart(2, '0')}+00:00`;
    const event = goodaysEvent(type, {
      responseId: `cg${idBase}x${Math.floor(k / 3)}`,
      updatedAt: atTime,
      delegated: type === 'delegated',
      ...(type === 'message' ? { message: { id: `cgm${k}`, at: atTime, content: 'A question about my order', from: 'customer' as const } } : {}),
    });
    const body = JSON.stringify(event);
    const d = describeEvent(body);
    if (!d) throw new Error('fixture is no Goodays event');
    for (let c = 0; c <= (k * 5 + 2) % 3; c++) items.push({ kind: 'goodays', key: `${d.responseId}\u0000${d.eventKey}`, body });
  }
  const op = (h: StartedHub, path: string, init: RequestInit = {}) => fetch(`${h.url}${path}`, { ...init, headers: { authorization: `Bearer ${h.operatorToken}`, ...(init.headers ?? {}) }, signal: AbortSignal.timeout(30_000) });
  const badKinds: Omit<Extract<Item, { kind: 'bad' }>, 'kind'>[] = [
    { name: 'rungopher malformed JSON', needsStorage: true, send: (h) => fetch(`${h.url}/webhooks/rungopher/${h.webhookToken}`, { method: 'POST', body: '{"id": 12, "campaignId":', headers: { 'content-type': 'application/json' } }) },
    { name: 'rungopher wrong token', needsStorage: false, send: (h) => fetch(`${h.url}/webhooks/rungopher/not-the-token`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } }) },
    { name: 'rungopher oversized', needsStorage: false, send: (h) => fetch(`${h.url}/webhooks/rungopher/${h.webhookToken}`, { method: 'POST', body: `{"pad":"${'x'.repeat(1100 * 1024)}"}`, headers: { 'content-type': 'application/json' } }) },
    { name: 'goodays bad signature', needsStorage: false, send: (h) => fetch(`${h.url}/webhooks/goodays`, { method: 'POST', body: JSON.stringify(goodaysEvent('response')), headers: { 'content-type': 'application/json', 'x-hmac-sha256': 'ab'.repeat(32) } }) },
    { name: 'goodays malformed signature header', needsStorage: false, send: (h) => fetch(`${h.url}/webhooks/goodays`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json', 'x-hmac-sha256': 'not hex at all' } }) },
    { name: 'goodays malformed JSON, signed', needsStorage: true, send: (h) => fetch(`${h.url}/webhooks/goodays`, { method: 'POST', body: '{"event_type": "response", "response": {', headers: { 'content-type': 'application/json', 'x-hmac-sha256': sign('{"event_type": "response", "response": {') } }) },
    { name: 'goodays oversized', needsStorage: false, send: (h) => fetch(`${h.url}/webhooks/goodays`, { method: 'POST', body: `{"pad":"${'x'.repeat(1100 * 1024)}"}`, headers: { 'content-type': 'application/json', 'x-hmac-sha256': 'ab'.repeat(32) } }) },
    { name: 'operator bad cursor', needsStorage: false, send: (h) => op(h, '/rungopher/results?cursor=eyJub3QiOiJhIGtleSJ9&limit=5') },
    { name: 'operator bad limit', needsStorage: false, send: (h) => op(h, '/goodays/responses?limit=-3') },
    { name: 'operator id over the key limit', needsStorage: false, send: (h) => op(h, `/goodays/responses/${'r'.repeat(3000)}`) },
    { name: 'operator unknown action', needsStorage: false, send: (h) => op(h, '/goodays/responses/vdOpL1NJ74l/shout', { method: 'POST', body: '{}' }) },
    { name: 'operator contact path over the key limit', needsStorage: false, send: (h) => op(h, `/rungopher/campaigns/15/contacts/${'c'.repeat(2100)}`) },
    { name: 'operator netcore transcripts bad cursor', needsStorage: false, send: (h) => op(h, '/netcore/users/%2B919876543210/transcripts?cursor=%%%') },
    { name: 'operator without a token', needsStorage: false, send: (h) => fetch(`${h.url}/goodays/responses`) },
  ];
  const nBad = Math.max(badKinds.length, Math.round(opts.webhooks * (opts.badShare ?? 0.03)));
  for (let b = 0; b < nBad; b++) items.push({ kind: 'bad', ...(badKinds[b % badKinds.length] as (typeof badKinds)[number]) });
  const pending = shuffle(items, rand);
  const totalSends = pending.length;
  const validTotal = nRungopher + nGoodays;

  const faults: Fault[] = [];
  const windowsOf = (kinds: RegExp) => faults.filter((f) => kinds.test(f.kind));
  // A request that overlapped a fault, or ended within a function timeout after it, was inside it.
  const inside = (from: number, to: number, kinds = /./) => windowsOf(kinds).some((f) => from <= (f.endMs || at()) + 12_000 && to >= f.startMs);
  const openFaults = new Set<Fault>();
  let up = true;
  const ackR = new Set<number>();
  const ackG = new Set<string>();
  const got5xx = new Set<string>();
  let valid5xx = 0;
  let valid5xxOutside = 0;
  let noAnswer = 0;
  let bad5xx = 0;
  let bad5xxInside = 0;
  const badStatuses: Record<string, number> = {};
  let attempts = 0;
  const maxAttempts = totalSends * 4 + 10_000;
  const acked = () => ackR.size + ackG.size;

  const sender = async (): Promise<void> => {
    for (;;) {
      const item = pending.pop();
      if (item === undefined) return;
      if (++attempts > maxAttempts) return;
      while (!up) await sleep(20);
      const from = at();
      let status = 0;
      let answer = '';
      try {
        const res =
          item.kind === 'rungopher'
            ? await fetch(`${hub.url}/webhooks/rungopher/${hub.webhookToken}`, { method: 'POST', body: item.body, headers: { 'content-type': 'application/json' }, signal: AbortSignal.timeout(30_000) })
            : item.kind === 'goodays'
              ? await fetch(`${hub.url}/webhooks/goodays`, { method: 'POST', body: item.body, headers: { 'content-type': 'application/json', 'x-hmac-sha256': sign(item.body) }, signal: AbortSignal.timeout(30_000) })
              : await item.send(hub);
        status = res.status;
        answer = await res.text();
      } catch {
        noAnswer++;
      }
      const to = at();
      for (const f of openFaults) if (status !== 200 && status < 400) f.requestsHit++;
      if (item.kind === 'bad') {
        if (status === 0) continue; // a kill: not an answer to judge
        badStatuses[`${item.name} ${status}`] = (badStatuses[`${item.name} ${status}`] ?? 0) + 1;
        if (status >= 500) {
          // Keeping a bad body takes DynamoDB (the item) and SQS (a webhook's notice of it).
          if (item.needsStorage && inside(from, to, /DynamoDB|SQS|SIGKILL|crash/)) bad5xxInside++;
          else bad5xx++;
        }
        continue;
      }
      const label = item.kind === 'rungopher' ? String(item.id) : item.key;
      // An answer that came back after a kill began does not count: the kill may have raced it.
      if (status === 200 && up && /"(queued|duplicate)"/.test(answer)) {
        if (item.kind === 'rungopher') ackR.add(item.id);
        else ackG.add(item.key);
        continue;
      }
      if (status >= 500) {
        valid5xx++;
        got5xx.add(label);
        if (!inside(from, to)) valid5xxOutside++;
      }
      pending.unshift(item); // resent later, as the vendors do for anything but a 200
    }
  };

  const progress = async (share: number): Promise<void> => {
    const until = Date.now() + 600_000;
    while (acked() < Math.floor(validTotal * share) && Date.now() < until && pending.length > 0) await sleep(5);
  };
  const fault = (kind: string): Fault => {
    const f: Fault = { kind, startMs: at(), endMs: 0, requestsHit: 0 };
    faults.push(f);
    openFaults.add(f);
    return f;
  };
  const end = (f: Fault): void => {
    f.endMs = at();
    openFaults.delete(f);
    log(`fault ${f.kind}: ${f.startMs}–${f.endMs} ms, requests hit ${f.requestsHit}${f.inFlightAtKill ? `, in flight at the kill ${JSON.stringify(f.inFlightAtKill)}` : ''}${f.note ? `, ${f.note}` : ''}`);
  };
  const kill = async (kind: string): Promise<Fault> => {
    up = false;
    await hub.kill('SIGKILL');
    dynamoProxy.target(undefined);
    sqsProxy.target(undefined);
    const f = fault(kind);
    f.inFlightAtKill = queuedByQueue(dataDir);
    log(`${kind} at ${f.startMs} ms: ${acked()} acknowledged, in flight ${JSON.stringify(f.inFlightAtKill)}`);
    return f;
  };
  const restart = async (f: Fault): Promise<void> => {
    hub = await start();
    end(f);
  };
  const window = async (kind: string, proxy: FaultProxy, mode: 'reset' | 'stall'): Promise<void> => {
    if (outageMs <= 0) return;
    const f = fault(kind);
    proxy.takeHits();
    proxy.setMode({ kind: mode });
    await sleep(outageMs);
    proxy.setMode({ kind: 'pass' });
    f.requestsHit += proxy.takeHits();
    end(f);
  };

  let crashResultId = '';
  let crashRestartOutput = -1;

  // Goodays responses for the operators, with their first webhook, before the load.
  const replyIds = Array.from({ length: nReplies }, (_, i) => `cr${idBase}x${i}`);
  for (const rid of replyIds) {
    await fetch(`${sandbox()}/v2/_sandbox/responses`, { method: 'POST', body: JSON.stringify({ id: rid, source: 'email' }) });
    const sent = (await (await fetch(`${sandbox()}/v2/_sandbox/webhooks`, { method: 'POST', body: JSON.stringify({ responseId: rid }) })).json()) as { hubStatus: number };
    if (sent.hubStatus !== 200) throw new Error(`setup: the hub answered ${sent.hubStatus} to a Goodays webhook`);
  }
  log(`setup: ${nReplies} Goodays responses for operators at ${at()} ms; ${totalSends} sends to make`);

  let accepted = 0;
  let secondAccepted = 0;
  let secondRefused = 0;
  const post = async (rid: string, key: string, content: string): Promise<number> => {
    for (let i = 0; i < 200; i++) {
      while (!up) await sleep(50);
      try {
        const res = await op(hub, `/goodays/responses/${rid}/reply`, { method: 'POST', body: JSON.stringify({ content }), headers: { 'content-type': 'application/json', 'idempotency-key': key } });
        await res.arrayBuffer();
        // 404: the thread is not built yet; 5xx: inside a fault. Both: the operator's tool tries again, same key.
        if (res.status !== 404 && res.status < 500) return res.status;
      } catch {
        // No answer (a kill): the same key again.
      }
      await sleep(250);
    }
    return 0;
  };
  const operator = async (rid: string, i: number): Promise<void> => {
    await progress(0.1 + (0.85 * i) / Math.max(1, nReplies));
    if ((await post(rid, `chaos-${rid}`, 'Thank you, we are looking into it')) === 202) accepted++;
    if (i % 3 !== 0) return;
    // A stale event (built before the reply, still offering reply) arrives, then a second operator tries.
    const stale = JSON.stringify(goodaysEvent('delegated', { responseId: rid, updatedAt: '2020-01-01T00:00:00+00:00', delegated: true, actions: ['reply', 'spam', 'close'] }));
    for (let k = 0; k < 50; k++) {
      while (!up) await sleep(50);
      const res = await fetch(`${hub.url}/webhooks/goodays`, { method: 'POST', body: stale, headers: { 'content-type': 'application/json', 'x-hmac-sha256': sign(stale) } }).catch(() => undefined);
      if (res?.status === 200) break;
      await sleep(250);
    }
    const second = await post(rid, `chaos-${rid}-second`, 'Following up on your message');
    if (second === 202) secondAccepted++;
    else if (second === 409) secondRefused++;
  };

  // Netcore poll runs all along, one at a time.
  let pollsOk = 0;
  let pollsFailed = 0;
  let loadDone = false;
  const polls = (async () => {
    while (!loadDone) {
      await sleep(2000);
      if (!up) continue;
      try {
        const list = (await (await fetch(`${hub.url}/_local/schedules`)).json()) as { schedules: { name: string }[] };
        for (const s of list.schedules.filter((x) => x.name.startsWith('netcore'))) {
          const res = await fetch(`${hub.url}/_local/schedules/${s.name}`, { method: 'POST', signal: AbortSignal.timeout(120_000) });
          if (res.ok) pollsOk++;
          else pollsFailed++;
          await res.arrayBuffer();
        }
      } catch {
        pollsFailed++;
      }
    }
  })();

  const senders = Array.from({ length: concurrency }, () => sender());
  const operators = replyIds.map((rid, i) => operator(rid, i));
  const faultsDone = (async (): Promise<void> => {
    await progress(0.15);
    await window('DynamoDB unavailable (connections reset)', dynamoProxy, 'reset');
    if (opts.kills >= 1) {
      await progress(0.3);
      await restart(await kill('SIGKILL under load'));
      for (let k = 2; k <= opts.kills; k++) {
        // Requests reach the freshly started hub, then it is killed right away.
        up = true;
        await sleep(200);
        await restart(await kill('SIGKILL right after restart'));
      }
      up = true;
    }
    if (opts.sqsOutage ?? true) {
      await progress(0.45);
      await window('SQS unavailable (requests stalled)', sqsProxy, 'stall');
    }
    if (opts.storeDeleteCrash ?? true) {
      await progress(0.6);
      // Armed: the first result PutItem the emulator answers goes back to the processor, every SQS delete
      // from then on is held, and the hub is killed: that result is stored and its message not deleted.
      let crashedId = '';
      const seen = new Promise<void>((resolve) => {
        dynamoProxy.onAnswer = (x) => {
          if (x.operation !== 'PutItem' || x.resource !== 'switchboard-rungopher-results' || x.status !== 200) return undefined;
          dynamoProxy.onAnswer = undefined;
          sqsProxy.setMode({ kind: 'hold', operations: /^DeleteMessage/ });
          crashedId = (/"id":\{"[NS]":"([^"]+)"\}/.exec(x.request) ?? [])[1] ?? '?';
          return { then: resolve };
        };
      });
      await Promise.race([seen, sleep(60_000)]);
      const f = await kill('crash between store and delete');
      const held = sqsProxy.takeHits();
      sqsProxy.setMode({ kind: 'pass' });
      f.requestsHit += held;
      f.note = crashedId ? `result ${crashedId} stored, the hub killed before its delete (${held} delete batch(es) held until the kill)` : 'missed: no result was stored within 60 s';
      crashResultId = crashedId;
      await restart(f);
      crashRestartOutput = outputs.length - 1;
      up = true;
    }
    // Goodays action endpoints that reset or hang (the sandbox's own fault options), after the last restart.
    const n = opts.actionFaults ?? 2;
    const actionFaults = [
      { kind: 'reset-before', count: n },
      { kind: 'reset-after', count: n },
      { kind: 'hang-after', count: n },
    ];
    const f = fault(`Goodays actions reset or hang (${n} reset before, ${n} after, ${n} hang)`);
    for (const a of actionFaults) await fetch(`${sandbox()}/v2/_sandbox/faults`, { method: 'POST', body: JSON.stringify(a) });
    await Promise.all(operators);
    const log_ = (await (await fetch(`${sandbox()}/v2/_sandbox/requests`)).json()) as { answered: unknown }[];
    f.requestsHit = log_.filter((e) => e.answered === 'reset' || e.answered === 'hang').length;
    end(f);
  })();
  await faultsDone;
  await Promise.all(senders);
  await Promise.all(operators);
  loadDone = true;
  await polls;
  const sentMs = at();
  log(`all sends answered at ${sentMs} ms`);

  // Drain: every acknowledged webhook stored (read from dynalite itself, not through the proxy).
  const drainUntil = Date.now() + (opts.drainMs ?? 300_000);
  let storedR = new Set<number>();
  let storedG = new Set<string>();
  let drained: boolean;
  for (;;) {
    storedR = new Set((await scanKeys(hub.dynamoPort, 'switchboard-rungopher-results', (i) => String(i.id), 'id')).map(Number));
    storedG = new Set(await scanKeys(hub.dynamoPort, 'switchboard-goodays-events', (i) => `${String(i.responseId)}\u0000${String(i.eventKey)}`, 'responseId, eventKey'));
    drained = [...ackR].every((id) => storedR.has(id)) && [...ackG].every((k) => storedG.has(k));
    if (drained || Date.now() > drainUntil) break;
    await sleep(500);
  }
  const drainMs = at() - sentMs;
  if (!drained) log(`not stored at the drain limit: ${[...[...ackR].filter((id) => !storedR.has(id)).map(String), ...[...ackG].filter((k) => !storedG.has(k)).map((k) => k.replace('\u0000', ' '))].slice(0, 10).join(', ')}; queued ${JSON.stringify(queuedByQueue(dataDir))}`);
  // Let the action queue settle so the sandbox's record is complete.
  const settleUntil = Date.now() + 30_000;
  while (Date.now() < settleUntil) {
    const list = ((await (await op(hub, '/queues')).json()) as { items?: { name: string; depth: number }[] }).items ?? [];
    if ((list.find((x) => x.name === 'goodays-actions')?.depth ?? 0) === 0) break;
    await sleep(500);
  }

  // The hubs' own record of first stores, across every restart.
  const firstR = new Map<string, number>();
  const firstG = new Map<string, number>();
  let duplicates = 0;
  for (const out of outputs) {
    for (const m of out().matchAll(/rungopher-processor Result (stored|duplicate) .*?resultId=(\d+)/g)) {
      if (m[1] === 'stored') firstR.set(m[2] ?? '', (firstR.get(m[2] ?? '') ?? 0) + 1);
      else duplicates++;
    }
    for (const m of out().matchAll(/goodays-event-processor Goodays event processed .*?key=(\S+) result=(stored|replaced|duplicate)/g)) {
      if (m[2] === 'stored') firstG.set(m[1] ?? '', (firstG.get(m[1] ?? '') ?? 0) + 1);
      else duplicates++;
    }
  }
  // The crash's window was hit when the hub started after it met that result again and knew it stored.
  if (crashResultId) {
    const later = outputs.slice(crashRestartOutput).map((o) => o()).join('\n');
    const crash = faults.find((f) => f.kind.startsWith('crash'));
    if (crash) crash.note += new RegExp(`Result duplicate .*?resultId=${crashResultId}(\\s|$)`).test(later) ? '; after the restart it was redelivered and recognised as already stored' : '; its redelivery was not seen';
  }
  const storedTwice = [...firstR.values(), ...firstG.values()].filter((c) => c > 1).length + (await threadMessageDoubles(hub.dynamoPort));
  const received = (await (await fetch(`${sandbox()}/v2/_sandbox/received`)).json()) as { responseId: string; action: string; method: string }[];
  const replyPuts = new Map<string, number>();
  for (const r of received) if (r.method === 'PUT' && r.action === 'reply' && replyIds.includes(r.responseId)) replyPuts.set(r.responseId, (replyPuts.get(r.responseId) ?? 0) + 1);
  // The subscriber: every acknowledged result delivered, every acknowledged thread at its stored version.
  let outbound: ChaosFigures['outbound'];
  if (receiver) {
    const waitFrom = at();
    // Its own drain: a delivery that failed (a DynamoDB window outlasting its retries) comes back after its
    // subscription queue's visibility timeout, as on AWS.
    const waitUntil = Date.now() + (opts.drainMs ?? 300_000);
    const threadIds = new Set([...ackG].map((k) => k.split('\u0000')[0] ?? ''));
    const versions = new Map((await scanKeys(hub.dynamoPort, 'switchboard-goodays-threads', (i) => `${String(i.responseId)}\u0000${String(i.version)}`, 'responseId, version')).map((k) => [k.split('\u0000')[0] ?? '', Number(k.split('\u0000')[1])]));
    const missing = () => {
      const results = new Set<string>();
      const threads = new Map<string, number>();
      for (const r of receiver.received) {
        if (r.type === 'rungopher.result.stored') results.add(String(r.data.resultId));
        if (r.type === 'goodays.thread.updated') threads.set(String(r.data.responseId), Math.max(threads.get(String(r.data.responseId)) ?? 0, Number(r.data.version)));
      }
      return {
        resultsUndelivered: [...ackR].filter((id) => storedR.has(id) && !results.has(String(id))).length,
        threadsBehind: [...threadIds].filter((id) => (threads.get(id) ?? 0) < (versions.get(id) ?? 0)).length,
      };
    };
    let left = missing();
    while ((left.resultsUndelivered > 0 || left.threadsBehind > 0) && Date.now() < waitUntil) {
      await sleep(500);
      left = missing();
    }
    const { resultsUndelivered, threadsBehind } = left;
    outbound = { delivered: receiver.received.length, unique: receiver.unique().size, badSignatures: receiver.rejected, resultsUndelivered, threadsBehind, waitMs: at() - waitFrom };
    log(`subscriber: ${outbound.delivered} webhooks verified (${outbound.unique} ids), ${outbound.badSignatures} bad signatures, ${resultsUndelivered} results and ${threadsBehind} threads not delivered, after ${outbound.waitMs} ms`);
    await receiver.stop();
  }
  const storedLabel = (l: string) => (/^\d+$/.test(l) ? storedR.has(Number(l)) : storedG.has(l));
  const ackLabel = (l: string) => (/^\d+$/.test(l) ? ackR.has(Number(l)) : ackG.has(l));

  await dynamoProxy.close();
  await sqsProxy.close();
  return {
    hub,
    figures: {
      webhooks: { rungopher: nRungopher, goodays: nGoodays },
      sends: totalSends,
      faults,
      acknowledged: { rungopher: ackR.size, goodays: ackG.size },
      stored: { rungopher: [...ackR].filter((id) => storedR.has(id)).length, goodays: [...ackG].filter((k) => storedG.has(k)).length },
      lost: [...ackR].filter((id) => !storedR.has(id)).length + [...ackG].filter((k) => !storedG.has(k)).length,
      storedTwice,
      firstStores: [...firstR.values(), ...firstG.values()].reduce((a, b) => a + b, 0),
      duplicatesRecognised: duplicates,
      repliesTwice: [...replyPuts.values()].filter((n) => n > 1).length,
      replies: { responses: nReplies, accepted, putsReceived: [...replyPuts.values()].reduce((a, b) => a + b, 0), secondOperatorAccepted: secondAccepted, secondOperatorRefused: secondRefused },
      valid5xx,
      valid5xxOutsideFaults: valid5xxOutside,
      ids5xx: got5xx.size,
      ids5xxResentAndStored: [...got5xx].filter((l) => ackLabel(l) && storedLabel(l)).length,
      badSent: nBad,
      bad5xx,
      bad5xxInsideFaults: bad5xxInside,
      badStatuses,
      netcorePolls: { ok: pollsOk, failed: pollsFailed },
      noAnswer,
      neverAcknowledged: validTotal - acked(),
      drainMs,
      drained,
      ...(outbound ? { outbound } : {}),
      totalMs: at(),
    },
  };
}

/** The figures that must be 0 (or equal) for a run to pass, as text; empty when it passed. */
export function chaosFailures(f: ChaosFigures): string[] {
  const out: string[] = [];
  if (f.lost) out.push(f.drained ? `lost ${f.lost}` : `not stored when the drain limit passed ${f.lost} (give it more time: --drain-ms)`);
  if (f.storedTwice) out.push(`stored twice ${f.storedTwice}`);
  if (f.repliesTwice) out.push(`replies twice ${f.repliesTwice}`);
  if (f.replies.secondOperatorAccepted) out.push(`second replies accepted ${f.replies.secondOperatorAccepted}`);
  if (f.bad5xx) out.push(`5xx to bad input ${f.bad5xx}`);
  if (f.valid5xxOutsideFaults) out.push(`5xx to valid input outside a fault ${f.valid5xxOutsideFaults}`);
  if (f.neverAcknowledged) out.push(`never acknowledged ${f.neverAcknowledged}`);
  if (f.ids5xxResentAndStored < f.ids5xx) out.push(`answered 5xx and not stored after resending ${f.ids5xx - f.ids5xxResentAndStored}`);
  if (f.outbound?.resultsUndelivered) out.push(`stored results never delivered to the subscriber ${f.outbound.resultsUndelivered}`);
  if (f.outbound?.threadsBehind) out.push(`stored threads whose version never reached the subscriber ${f.outbound.threadsBehind}`);
  if (f.outbound?.badSignatures) out.push(`webhooks whose signature did not verify ${f.outbound.badSignatures}`);
  return out;
}
