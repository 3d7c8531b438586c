import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CursorStore } from '#platform/cursor-store.ts';
import type { RungopherResult } from '#rungopher/domain/result.ts';
import { cursorName, decodeCursor, type ResultEndpoint } from '#rungopher/domain/results-polling.ts';
import type { PollPorts, PollSettings, ResultSink, pollRungopherResults } from '#rungopher/use-cases/poll-results.ts';
import { recordingPublisher } from '#test/helpers/events.ts';
import type { storeRungopherResult } from '#rungopher/use-cases/store-result.ts';
import { startRungopherSandbox, type RungopherSandbox } from '#infra/local/sandboxes/rungopher.ts';
import { rowCampaignId } from '#rungopher/use-cases/result-row.ts';
import { sampleResult, startTestDynamo, type TestDynamo } from './env.ts';

/**
 * The results poller against the Rungopher sandbox (real HTTP) and dynalite (real conditional writes),
 * through the same store the webhook processor uses.
 */

let db: TestDynamo;
let sandbox: RungopherSandbox;
let mod: {
  poll: typeof pollRungopherResults;
  store: typeof storeRungopherResult;
  cursors: CursorStore;
  ports: Omit<PollPorts, 'count' | 'sink'> & { sink: ResultSink; webhookSink: ResultSink };
};

const API_KEY = 'test-key';
const T0 = Date.parse('2017-11-14T10:56:14Z');
const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');
const minutes = (n: number): number => n * 60_000;

beforeAll(async () => {
  db = await startTestDynamo();
  sandbox = await startRungopherSandbox({ apiKey: API_KEY, seed: false });
  const [{ pollRungopherResults }, { storeRungopherResult }, { dynamoCursorStore }, { dynamoQuarantine }, { dynamoResultTable, dynamoContactTable }, { RungopherClient }] = await Promise.all([
    import('#rungopher/use-cases/poll-results.ts'),
    import('#rungopher/use-cases/store-result.ts'),
    import('#platform/cursor-store.ts'),
    import('#platform/quarantine.ts'),
    import('#rungopher/adapters/store.ts'),
    import('#rungopher/adapters/client.ts'),
  ]);
  const storePorts = { results: dynamoResultTable(db.tables['rungopher-results']), contacts: dynamoContactTable(db.tables['rungopher-contacts']), events: recordingPublisher() };
  const cursors = dynamoCursorStore(db.tables.cursors);
  mod = {
    poll: pollRungopherResults,
    store: storeRungopherResult,
    cursors,
    ports: {
      source: new RungopherClient({ baseUrl: sandbox.url, apiKey: API_KEY, retry: { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 4 } }),
      sink: { store: (r: RungopherResult, raw: string) => storeRungopherResult(storePorts, r, raw, { source: 'poller' }) },
      webhookSink: { store: (r: RungopherResult, raw: string) => storeRungopherResult(storePorts, r, raw, { source: 'webhook' }) },
      cursors,
      quarantine: dynamoQuarantine(db.tables.quarantine),
    },
  };
});

afterAll(async () => {
  await sandbox?.stop();
  await db?.stop();
});

let endpointSeq = 0;
/** Each test uses its own campaign id and endpoint set so cursors and counts do not mix. */
let campaignId = 1;
beforeEach(() => {
  campaignId = 1000 + endpointSeq++;
});

async function run(endpoints: ResultEndpoint[], overrides: Partial<PollSettings> = {}, ports: Partial<PollPorts> = {}) {
  const metrics: Record<string, number> = {};
  const outcome = await mod.poll(
    { ...mod.ports, count: (n, v) => (metrics[n] = (metrics[n] ?? 0) + v), ...ports },
    { lookbackMs: minutes(15), startMs: Date.parse('2017-01-01T00:00:00Z'), deadlineMs: Date.now() + 20_000, endpoints, ...overrides },
  );
  return { outcome, metrics };
}

async function storedFor(cid: number): Promise<Record<string, unknown>[]> {
  return (await db.scan('rungopher-results')).filter((r) => rowCampaignId(r as { campaignContact: string }) === String(cid));
}

function add(n: number, overrides: Record<string, unknown>): Record<string, unknown>[] {
  const items = Array.from({ length: n }, () => sampleResult({ campaignId, ...overrides }));
  sandbox.addResults(items, { deliver: false });
  return items;
}

describe('rungopher results poller', () => {
  it('stores results sharing one timestamp even when some appear after the first poll', async () => {
    add(3, { resultName: 'cancelled', timestamp: iso(T0) });
    const first = await run(['cancelled']);
    expect(first.outcome.endpoints[0]).toMatchObject({ status: 'done', read: 3, stored: 3, cursorMoved: true, cursorTo: new Date(T0).toISOString() });
    add(2, { resultName: 'cancelled', timestamp: iso(T0) }); // same second, visible later
    const second = await run(['cancelled']);
    // The three already stored are listed in the cursor and not written again.
    expect(second.outcome.endpoints[0]).toMatchObject({ read: 5, stored: 2, known: 3, duplicates: 0 });
    const stored = await storedFor(campaignId);
    expect(stored).toHaveLength(5);
    expect(new Set(stored.map((s) => s.id)).size).toBe(5);
    expect(second.metrics.ResultsFirstSeenByPoller).toBe(2);
  });

  it('asks with after = cursor - look-back, the offset + sent as %2B', async () => {
    add(1, { resultName: 'newEmail', resultType: 'email', data: { email: 'a@b.co' }, timestamp: iso(T0 + minutes(60)) });
    await run(['newEmail']);
    const before = sandbox.calls.length;
    await run(['newEmail']);
    const call = sandbox.calls.slice(before).find((c) => c.path === 'results/newEmail');
    expect(call?.query).toBe(`?after=${encodeURIComponent(iso(T0 + minutes(45)).replace('Z', '+00:00'))}`);
    expect(call?.query).toContain('%2B00%3A00');
  });

  it('picks up a late arrival inside the look-back, and one outside only with a longer look-back', async () => {
    add(1, { resultName: 'optedOut', timestamp: iso(T0 + minutes(100)) });
    await run(['optedOut']);
    const inside = add(1, { resultName: 'optedOut', timestamp: iso(T0 + minutes(90)) });
    const outside = add(1, { resultName: 'optedOut', timestamp: iso(T0 + minutes(80)) });
    const r = await run(['optedOut']);
    expect(r.outcome.endpoints[0]).toMatchObject({ stored: 1, known: 1 });
    let ids = (await storedFor(campaignId)).map((s) => s.id);
    expect(ids).toContain(String(inside[0]?.id));
    expect(ids).not.toContain(String(outside[0]?.id)); // older than cursor - 15 min: the webhook's job, or a wider look-back
    await run(['optedOut'], { lookbackMs: minutes(30) });
    ids = (await storedFor(campaignId)).map((s) => s.id);
    expect(ids).toContain(String(outside[0]?.id));
    expect(ids).toHaveLength(3);
  });

  it('a crash between storing and moving the cursor stores nothing twice and the next run moves it', async () => {
    add(4, { resultName: 'acceptedUpgrade', timestamp: iso(T0 + minutes(5)) });
    const crashing: CursorStore = { get: (n) => mod.cursors.get(n), move: () => Promise.reject(new Error('crash before the cursor moved')) };
    await expect(run(['acceptedUpgrade'], {}, { cursors: crashing })).rejects.toThrow('crash before the cursor moved');
    expect(await mod.cursors.get(cursorName('acceptedUpgrade'))).toBeUndefined();
    expect(await storedFor(campaignId)).toHaveLength(4);
    const again = await run(['acceptedUpgrade']);
    expect(again.outcome.endpoints[0]).toMatchObject({ stored: 0, duplicates: 4, cursorMoved: true });
    expect(again.metrics.ResultsFirstSeenByPoller).toBe(0);
    expect(await storedFor(campaignId)).toHaveLength(4);
  });

  it('overlapping runs store each result once and only one of them moves the cursor', async () => {
    add(20, { resultName: 'convertedToEmail', timestamp: iso(T0 + minutes(7)) });
    const [a, b] = await Promise.all([run(['convertedToEmail'], { storeConcurrency: 2 }), run(['convertedToEmail'], { storeConcurrency: 3 })]);
    const moved = [a, b].filter((r) => r.outcome.endpoints[0]?.cursorMoved);
    expect(moved).toHaveLength(1);
    const loser = [a, b].find((r) => !r.outcome.endpoints[0]?.cursorMoved);
    expect(loser?.outcome.endpoints[0]?.status).toBe('cursor-conflict');
    expect((a.outcome.endpoints[0]?.stored ?? 0) + (b.outcome.endpoints[0]?.stored ?? 0)).toBe(20);
    const stored = await storedFor(campaignId);
    expect(stored).toHaveLength(20);
    const cursor = await mod.cursors.get(cursorName('convertedToEmail'));
    expect(cursor?.version).toBe(1);
    expect(decodeCursor(cursor?.value ?? '')).toMatchObject({ markMs: T0 + minutes(7) });
    expect(decodeCursor(cursor?.value ?? '')?.recentIds).toHaveLength(20);
  });

  it('429 then success: backs off, retries and stores everything once', async () => {
    add(3, { resultName: 'addressConfirmed', timestamp: iso(T0 + minutes(9)) });
    sandbox.injectFault({ status: 429, times: 2, path: 'results/addressConfirmed' });
    const before = sandbox.calls.length;
    const r = await run(['addressConfirmed']);
    const calls = sandbox.calls.slice(before).filter((c) => c.path === 'results/addressConfirmed');
    expect(calls.map((c) => c.status)).toEqual([429, 429, 200]);
    expect(r.outcome.endpoints[0]).toMatchObject({ status: 'done', stored: 3, cursorMoved: true });
  });

  it('persistent 5xx on one endpoint leaves its cursor, polls the others, and the next run resumes', async () => {
    add(2, { resultName: 'newNumber', resultType: 'phone', data: { phone: '+61400222111' }, timestamp: iso(T0 + minutes(11)) });
    sandbox.injectFault({ status: 500, times: 4, path: 'results/newNumber' });
    const r = await run(['newNumber', 'linkClicked']);
    expect(r.outcome.stopped).toBeUndefined();
    // The endpoint after the failing one is still polled: one bad endpoint cannot hide the rest.
    expect(r.outcome.endpoints.map((e) => [e.endpoint, e.status])).toEqual([
      ['newNumber', 'vendor-unavailable'],
      ['linkClicked', 'done'],
    ]);
    expect(r.metrics.RungopherPollVendorUnavailable).toBe(1);
    expect(await mod.cursors.get(cursorName('newNumber'))).toBeUndefined();
    expect(await storedFor(campaignId)).toHaveLength(0);
    const next = await run(['newNumber']);
    expect(next.outcome.endpoints[0]).toMatchObject({ status: 'done', stored: 2, cursorMoved: true });
  });

  it('gives up on the vendor after three unavailable endpoints in a row', async () => {
    for (const path of ['results/cancelled', 'results/optedOut', 'results/acceptedUpgrade']) sandbox.injectFault({ status: 503, times: 4, path });
    const r = await run(['cancelled', 'optedOut', 'acceptedUpgrade', 'newEmail']);
    expect(r.outcome.stopped).toBe('vendor-unavailable');
    expect(r.outcome.endpoints.map((e) => e.endpoint)).toEqual(['cancelled', 'optedOut', 'acceptedUpgrade']);
  });

  it('a result that came by webhook first is a duplicate for the poller (not first seen by it)', async () => {
    const [viaWebhook] = add(1, { resultName: 'allSms', resultType: 'sms', data: { kind: 'inbound_sms', content: 'Great' }, timestamp: iso(T0 + minutes(13)) });
    const { parseResultValue } = await import('#rungopher/domain/result.ts');
    const parsed = parseResultValue(viaWebhook);
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(await mod.ports.webhookSink.store(parsed.result, JSON.stringify(viaWebhook))).toBe('stored');
    add(1, { resultName: 'allSms', resultType: 'sms', data: { kind: 'outbound_sms', content: 'Hi' }, timestamp: iso(T0 + minutes(13)) });
    const r = await run(['allSms']);
    expect(r.metrics.ResultsFirstSeenByPoller).toBe(1);
    expect(r.metrics.RungopherPolledDuplicates).toBe(1);
    expect(r.outcome.endpoints[0]).toMatchObject({ stored: 1, duplicates: 1 });
    const stored = await storedFor(campaignId);
    expect(stored.map((s) => s.source).sort()).toEqual(['poller', 'webhook']);
  });

  it('stops before its deadline and keeps the stored prefix', async () => {
    add(10, { resultName: 'emailConfirmed', timestamp: iso(T0 + minutes(20)) });
    add(10, { resultName: 'emailConfirmed', timestamp: iso(T0 + minutes(21)) });
    let calls = 0;
    const deadlineMs = Date.now() + 60_000;
    // A clock that runs out after a few checks: the run must stop storing and hand back the rest. It is
    // read once before the endpoint, once by the poll loop's budget, once for the request timeout, then
    // once before each store starts: it runs out after the tenth store (all of T0+20) has started.
    const r = await run(['emailConfirmed'], { deadlineMs, storeConcurrency: 5 }, { now: () => (++calls > 13 ? deadlineMs : Date.now()) });
    expect(r.outcome.endpoints[0]?.status).toBe('out-of-time');
    expect(r.outcome.stopped).toBe('out-of-time');
    const storedNow = r.outcome.endpoints[0]?.stored ?? 0;
    expect(storedNow).toBeGreaterThan(0);
    expect(storedNow).toBeLessThan(20);
    const cursor = await mod.cursors.get(cursorName('emailConfirmed'));
    expect(decodeCursor(cursor?.value ?? '')?.markMs).toBe(T0 + minutes(20));
    const next = await run(['emailConfirmed']);
    expect(next.outcome.endpoints[0]?.stored).toBe(20 - storedNow);
    expect(await storedFor(campaignId)).toHaveLength(20);
  });

  it('a result the cursor does not list (a crash after storing) is stored again as a duplicate, and a cursor from an older version (a bare time) is read', async () => {
    const [r1] = add(1, { resultName: 'accepted', timestamp: iso(T0 + minutes(40)) });
    expect(await mod.cursors.move(cursorName('accepted'), await mod.cursors.get(cursorName('accepted')), new Date(T0 + minutes(40)).toISOString())).toBe(true);
    const first = await run(['accepted']);
    expect(first.outcome.endpoints[0]).toMatchObject({ stored: 1, known: 0, cursorMoved: true });
    const second = await run(['accepted']);
    expect(second.outcome.endpoints[0]).toMatchObject({ stored: 0, known: 1, duplicates: 0 });
    expect((await storedFor(campaignId)).map((s) => s.id)).toEqual([String(r1?.id)]);
  });

  it('quarantines an invalid item once, not on every re-read', async () => {
    sandbox.addResults([{ id: 'broken-1', campaignId, resultName: 'linkClicked', resultType: 'linkClicked', data: { link: 'x' }, timestamp: iso(T0 + minutes(30)) }], { deliver: false });
    add(1, { resultName: 'linkClicked', resultType: 'linkClicked', data: { link: 'https://x', count: '1' }, timestamp: iso(T0 + minutes(30)) });
    const first = await run(['linkClicked']);
    const second = await run(['linkClicked']);
    expect(first.outcome.endpoints[0]?.quarantined).toBe(1);
    expect(second.outcome.endpoints[0]?.quarantined).toBe(0);
    const q = (await db.scan('quarantine')).filter((x) => String(x.body).includes('broken-1'));
    expect(q).toHaveLength(1);
    expect(q[0]).toMatchObject({ stage: 'poller', vendor: 'rungopher' });
  });

  it('an endpoint that only returns an invalid item quarantines it once: the cursor passes it', async () => {
    sandbox.addResults([{ id: 'broken-2', campaignId, resultName: 'newAddress', resultType: 'address', data: 'not an object', timestamp: iso(T0 + minutes(50)) }], { deliver: false });
    const first = await run(['newAddress']);
    const second = await run(['newAddress']);
    expect(first.outcome.endpoints[0]).toMatchObject({ quarantined: 1, cursorMoved: true, cursorTo: new Date(T0 + minutes(50)).toISOString() });
    expect(second.outcome.endpoints[0]).toMatchObject({ read: 1, quarantined: 0, cursorMoved: false });
    expect((await db.scan('quarantine')).filter((x) => String(x.body).includes('broken-2'))).toHaveLength(1);
  });

  it('an item without a timestamp is re-read every run but quarantined and counted once', async () => {
    // The sandbox filters on time, so a source that serves the item as a broken vendor would.
    const timeless = { id: 'timeless-1', campaignId, contactId: '1', resultName: 'acceptedUpgrade', resultType: 'boolean', data: { answer: 'yes' } };
    const source = { results: async () => [timeless] } as unknown as PollPorts['source'];
    const first = await run(['acceptedUpgrade'], {}, { source });
    const second = await run(['acceptedUpgrade'], {}, { source });
    expect(first.outcome.endpoints[0]?.quarantined).toBe(1);
    expect(second.outcome.endpoints[0]?.quarantined).toBe(0);
    expect(second.metrics.RungopherPolledQuarantined ?? 0).toBe(0);
    expect((await db.scan('quarantine')).filter((x) => String(x.body).includes('timeless-1'))).toHaveLength(1);
  });

  it('a wrong API key is an error for a person, not a silent skip', async () => {
    const { RungopherClient } = await import('#rungopher/adapters/client.ts');
    const r = await run(['accepted'], {}, { source: new RungopherClient({ baseUrl: sandbox.url, apiKey: 'wrong' }) });
    expect(r.outcome.errors.join()).toMatch(/401.*Not logged in/);
    expect(r.outcome.endpoints[0]?.status).toBe('vendor-rejected');
  });

  it('quarantines at poll time what cannot be stored (10,000 levels deep), and moves on', async () => {
    const deep = JSON.parse(`{"id":"deep-1","campaignId":${campaignId},"contactId":"1","resultName":"emailConfirmed","resultType":"survey","data":{"q":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}},"timestamp":"${iso(T0 + minutes(70))}"}`) as unknown;
    const source = { results: async () => [deep] } as unknown as PollPorts['source'];
    const first = await run(['emailConfirmed'], {}, { source });
    expect(first.outcome.errors).toEqual([]);
    expect(first.outcome.endpoints[0]).toMatchObject({ quarantined: 1, stored: 0, cursorMoved: true });
    const q = (await db.scan('quarantine')).filter((x) => String(x.body).includes('deep-1'));
    expect(q).toHaveLength(1);
    expect(String(q[0]?.reason)).toMatch(/cannot be stored: the result is nested deeper than DynamoDB's 32 levels/);
  });

  it('whatever JSON the free-form fields of polled results hold, each is stored or quarantined, and the run has no error (property)', async () => {
    const free = fc.oneof(
      fc.jsonValue({ depthSize: 'medium' }),
      fc.integer({ min: 1, max: 60 }).map((n) => JSON.parse(`${'{"a":'.repeat(n)}1${'}'.repeat(n)}`) as unknown),
      fc.constantFrom(12345678901234567000, 1e300, -1e-200),
      fc.integer({ min: 1, max: 100 }).map((kb) => 'é'.repeat(kb * 512)),
    );
    let round = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.record({ data: fc.dictionary(fc.string(), free, { maxKeys: 3 }), context: fc.option(fc.string(), { nil: undefined }) }), { minLength: 1, maxLength: 4 }), async (items) => {
        const at = iso(T0 + minutes(1000 + round++));
        const results = items.map((it, i) => ({ id: `prop-${round}-${i}`, campaignId, contactId: 'p', resultName: 'convertedToEmail', resultType: 'survey', data: it.data, ...(it.context !== undefined ? { context: it.context } : {}), timestamp: at }));
        sandbox.addResults(results, { deliver: false });
        const r = await run(['convertedToEmail']);
        expect(r.outcome.errors).toEqual([]);
        expect(r.outcome.endpoints[0]?.status).toBe('done');
        const stored = new Set((await storedFor(campaignId)).map((x) => String(x.id)));
        const kept = (await db.scan('quarantine')).map((x) => String(x.body));
        for (const res of results) expect({ id: res.id, kept: stored.has(res.id) || kept.some((b) => b.includes(`"${res.id}"`)) }).toEqual({ id: res.id, kept: true });
      }),
      { numRuns: 25 },
    );
  }, 90_000);
});
