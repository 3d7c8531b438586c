import { recordingPublisher } from '#test/helpers/events.ts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TranscriptJob, type TranscriptJobInput } from '#netcore/domain/jobs.ts';
import { MESSAGE_TYPES, canonicalJson, messageKey } from '#netcore/domain/messages.ts';
import type { CursorStore } from '#platform/cursor-store.ts';
import type * as CursorAdapter from '#platform/cursor-store.ts';
import type * as QuarantineAdapter from '#platform/quarantine.ts';
import type * as StoreAdapter from '#netcore/adapters/store.ts';
import type * as UsersUseCase from '#netcore/use-cases/sync-users.ts';
import type * as TranscriptsUseCase from '#netcore/use-cases/sync-transcripts.ts';
import type * as UsageUseCase from '#netcore/use-cases/sync-usage.ts';
import { NetcoreClient } from '#netcore/adapters/client.ts';
import type { NetcoreStore } from '#netcore/adapters/store.ts';
import type { TimeBudget } from '#platform/time-budget.ts';
import type { TranscriptsSyncResult } from '#netcore/use-cases/sync-transcripts.ts';
import { startNetcoreSandbox, type NetcoreSandbox } from '#infra/local/sandboxes/netcore.ts';
import { UNKNOWN_SAMPLE_TYPE, sampleMessage } from '#infra/local/sandboxes/netcore-samples.ts';
import { startNetcoreEmulators, type NetcoreEmulators, type NetcoreResources } from './env.ts';

/**
 * The Netcore use cases end to end against the sandbox (HTTP), dynalite and fauxqs: the users poller
 * fans out one job per user and channel through the queue, the worker drains it.
 */

// Imported after the emulators set the endpoints.
let m: typeof UsersUseCase & typeof TranscriptsUseCase & typeof UsageUseCase & typeof StoreAdapter & typeof CursorAdapter & typeof QuarantineAdapter;
let emu: NetcoreEmulators;
let sandbox: NetcoreSandbox | undefined;
let n = 0;

beforeAll(async () => {
  emu = await startNetcoreEmulators();
  m = {
    ...(await import('#netcore/use-cases/sync-users.ts')),
    ...(await import('#netcore/use-cases/sync-transcripts.ts')),
    ...(await import('#netcore/use-cases/sync-usage.ts')),
    ...(await import('#netcore/adapters/store.ts')),
    ...(await import('#platform/cursor-store.ts')),
    ...(await import('#platform/quarantine.ts')),
  };
});
afterAll(async () => emu.stop());
afterEach(async () => {
  await sandbox?.stop();
  sandbox = undefined;
});

/** The client's per-request timeout (its default: the clients here set none). */
const REQUEST_MS = 20_000;
const plenty: TimeBudget = { remainingMs: () => 60_000, reserveMs: 1_000, requestMs: REQUEST_MS };
const DAY = 86_400_000;

/** A fresh sandbox, tables, queue, client and the wired use cases for one test. */
async function setup(opts: Parameters<typeof startNetcoreSandbox>[0] = {}, limits = { users: 1000, transcripts: 1000 }) {
  sandbox = await startNetcoreSandbox(opts);
  const sb = sandbox;
  const res: NetcoreResources = await emu.provision(`sync${++n}`);
  const api = new NetcoreClient({ baseUrl: sb.url, credentials: async () => ({ appId: 'a', appSecret: 's' }), retry: { baseDelayMs: 1, maxDelayMs: 5 } });
  const store = m.dynamoNetcoreStore(res.tables);
  const reader = m.dynamoNetcoreReader(res.tables);
  const jobs = m.sqsTranscriptJobQueue(res.queueUrl);
  const cursors = m.dynamoCursorStore(res.tables.cursors);
  const usersSettings = { channels: [1010, 1014, 1016, 1017] as const, limit: limits.users, lookbackMs: 15 * 60_000, initialLookbackMs: 90 * DAY, fetchDetails: true, concurrency: 8 };
  const transcriptsSettings = { limit: limits.transcripts, lookbackMs: 15 * 60_000, windowMarginMs: 3_600_000, concurrency: 16 };
  const now = () => new Date();
  const outbound = recordingPublisher();
  const users = (o: { budget?: TimeBudget; cursors?: CursorStore; api?: NetcoreClient } = {}) =>
    m.syncNetcoreUsers({ api: o.api ?? api, store, cursors: o.cursors ?? cursors, jobs, outbound, settings: { ...usersSettings, channels: [...usersSettings.channels] }, now, budget: o.budget ?? plenty });
  const transcripts = (job: TranscriptJobInput, o: { budget?: TimeBudget; store?: NetcoreStore } = {}) =>
    m.syncNetcoreTranscripts(TranscriptJob.parse(job), { api, store: o.store ?? store, jobs, outbound, settings: transcriptsSettings, now, budget: o.budget ?? plenty, quarantine: m.dynamoQuarantine(res.tables.quarantine) });
  /** Runs every queued job (and the jobs they queue) like the worker; a failing job is retried. */
  async function drain(o: { budget?: () => TimeBudget; store?: NetcoreStore } = {}) {
    const results: TranscriptsSyncResult[] = [];
    let failures = 0;
    for (let guard = 0; guard < 1000; guard++) {
      const records = await res.receive();
      if (records.length === 0) break;
      for (const r of records) {
        try {
          results.push(await transcripts(JSON.parse(r.body) as TranscriptJobInput, { budget: o.budget?.(), store: o.store }));
          await res.delete(r);
        } catch {
          failures++;
          await res.release(r);
        }
      }
    }
    const sum = (k: 'stored' | 'duplicates' | 'unknownShapes' | 'pages') => results.reduce((a, x) => a + x[k], 0);
    return { results, failures, stored: sum('stored'), duplicates: sum('duplicates'), unknownShapes: sum('unknownShapes'), pages: sum('pages') };
  }
  async function allTranscripts(botUserId: string, channel?: string) {
    const items: Record<string, unknown>[] = [];
    let cursor: string | undefined;
    do {
      const page = await reader.transcripts(botUserId, channel, undefined, 100, cursor);
      items.push(...page.items);
      cursor = page.cursor;
    } while (cursor);
    return items;
  }
  return { sb, res, api, store, reader, cursors, users, transcripts, drain, allTranscripts };
}

describe('Netcore sync', () => {
  it('stores every user with details and every message shape once; re-reading the window stores nothing', async () => {
    const t = await setup({ seed: { usersPerChannel: 2, messagesPerUser: 24 } });
    const run = await t.users();
    expect(run).toMatchObject({ outcome: 'complete', pages: 1, users: 8, details: 8, jobs: 8 });
    expect(await t.res.depth()).toBe(8);
    const first = await t.drain();
    expect(first).toMatchObject({ failures: 0, stored: 8 * 24, duplicates: 0, unknownShapes: 8 });

    // Round trip: what is stored is what the vendor served, item for item, in time order.
    const types = new Set<string>();
    for (const u of t.sb.users.values()) {
      const stored = await t.allTranscripts(u.userId, String(u.channelId));
      const served = t.sb.messages(u.userId, u.channelId);
      expect(stored.map((s) => canonicalJson(s.message))).toEqual(served.map(canonicalJson));
      stored.forEach((s) => types.add(String(s.type)));
      const row = (await t.reader.userRows(u.userId))[0];
      expect(row).toMatchObject({ customFields: u.customFields, tags: u.tags, botUserCustomFields: u.customFields });
    }
    expect([...types].sort()).toEqual([...MESSAGE_TYPES, UNKNOWN_SAMPLE_TYPE].sort());
    expect(t.api.stats).toMatchObject({ logins: 1, renewals: 0 });
    expect(t.sb.counts).toMatchObject({ users: 1, user: 8, transcripts: 8 });

    // The next poll finds no new activity: no details, no jobs, no transcript calls.
    expect(await t.users()).toMatchObject({ outcome: 'complete', users: 0, jobs: 0 });

    // A job for activity already synced is skipped without a vendor call.
    const someone = [...t.sb.users.values()][0];
    if (!someone) throw new Error('seed has users');
    const skipped = await t.transcripts({ botUserId: someone.userId, channelId: someone.channelId, until: new Date(Date.now() - 60_000).toISOString() });
    expect(skipped.outcome).toBe('skipped');
    expect(t.sb.counts.transcripts).toBe(8);

    // Re-reading the whole 3-month window of every user stores nothing twice.
    for (const u of t.sb.users.values()) {
      const again = await t.transcripts({ botUserId: u.userId, channelId: u.channelId, since: new Date(Date.now() - 80 * DAY).toISOString(), until: new Date().toISOString() });
      expect(again).toMatchObject({ outcome: 'done', stored: 0, duplicates: 24 });
    }
  });

  it('reads every user when users are added and move between pages mid-window', async () => {
    const t = await setup({ seed: false }, { users: 25, transcripts: 1000 });
    const base = Date.now() - 2 * 3_600_000;
    for (let i = 0; i < 60; i++) t.sb.addUser({ userId: `w${i}`, channelId: 1010, lastInteracted: new Date(base + i * 60_000).toISOString() });
    let moved: string[] = [];
    t.sb.beforeResponse = (info) => {
      if (info.kind !== 'users' || info.page !== 2) return;
      // Late arrivals inside the window push rows down (re-read, harmless) ...
      for (let i = 0; i < 5; i++) t.sb.addUser({ userId: `late${i}`, channelId: 1010, lastInteracted: new Date(base + 30 * 60_000 + i).toISOString() });
      // ... and users active again leave the frozen window, pulling rows up (skipped by this window).
      moved = ['w2', 'w1', 'w0'];
      for (const id of moved) {
        const u = t.sb.users.get(`${id}#1010`);
        if (u) u.lastInteracted = new Date().toISOString();
      }
    };
    const first = await t.users();
    expect(first.outcome).toBe('complete');
    expect(first.pages).toBe(3);
    t.sb.beforeResponse = undefined;
    const second = await t.users();
    expect(second.outcome).toBe('complete');
    // Together the two windows saw everyone; the second one starts before the first ended.
    const rows = await t.reader.usersByChannels(['1010'], undefined, 500, undefined);
    expect(rows.items.map((r) => r.botUserId).sort()).toEqual([...t.sb.users.values()].map((u) => u.userId).sort());
    expect(rows.items).toHaveLength(65);
    const moverRow = rows.items.find((r) => r.botUserId === 'w0');
    expect(moverRow?.lastInteractedAt).toBe(t.sb.users.get('w0#1010')?.lastInteracted);
    const cursor = await t.cursors.get('netcore:users');
    expect(JSON.parse(cursor?.value ?? '{}')).toEqual({ since: second.window.until });
  });

  it('misses no user when users active again leave the frozen window between two pages (rows shift up)', async () => {
    const t = await setup({ seed: false }, { users: 25, transcripts: 1000 });
    const base = Date.now() - 2 * 3_600_000;
    for (let i = 0; i < 60; i++) t.sb.addUser({ userId: `s${i}`, channelId: 1010, lastInteracted: new Date(base + i * 60_000).toISOString() });
    const original = [...t.sb.users.values()].map((u) => u.userId).sort();
    const leave = (ids: string[]) => {
      for (const id of ids) {
        const u = t.sb.users.get(`${id}#1010`);
        if (u) u.lastInteracted = new Date(Date.now() + 60_000).toISOString(); // after the frozen window end
      }
    };
    // Newest first: page 1 is s59..s35. Three of its users leave before page 2 is read, so s34..s32
    // move up onto page 1, already read.
    t.sb.beforeResponse = (info) => {
      if (info.kind === 'users' && info.page === 2 && t.sb.counts.users === 2) leave(['s59', 's58', 's57']);
    };
    const run = await t.users();
    expect(run).toMatchObject({ outcome: 'complete', rereads: 1, pages: 4 });
    const stored = (await t.reader.usersByChannels(['1010'], undefined, 500, undefined)).items.map((r) => String(r.botUserId)).sort();
    expect(stored).toEqual(original);
    // Each user was queued once, re-read page or not.
    expect(await t.res.depth()).toBe(60);
  });

  it('misses no user when users leave the window between two runs of the same window', async () => {
    const t = await setup({ seed: false }, { users: 25, transcripts: 1000 });
    const base = Date.now() - 2 * 3_600_000;
    for (let i = 0; i < 60; i++) t.sb.addUser({ userId: `r${i}`, channelId: 1017, lastInteracted: new Date(base + i * 60_000).toISOString() });
    let remaining = 60_000;
    const budget: TimeBudget = { remainingMs: () => remaining, reserveMs: 1_000, requestMs: REQUEST_MS };
    const stopAfterPage1: CursorStore = {
      get: (name) => t.cursors.get(name),
      async move(name, expected, value) {
        const moved = await t.cursors.move(name, expected, value);
        remaining = 500;
        return moved;
      },
    };
    expect(await t.users({ budget, cursors: stopAfterPage1 })).toMatchObject({ outcome: 'time', pages: 1 });
    expect(JSON.parse((await t.cursors.get('netcore:users'))?.value ?? '{}')).toMatchObject({ page: 2, total: 60 });
    // Between runs, r59..r33 become active again: 25 read on page 1 and 2 not read yet. The 33 left
    // shift up by 27 rows, more than a page: r32..r8 are now where page 1 was.
    const later = new Date().toISOString();
    for (let i = 59; i > 32; i--) {
      const u = t.sb.users.get(`r${i}#1017`);
      if (u) u.lastInteracted = later;
    }
    remaining = 60_000;
    const second = await t.users({ budget });
    expect(second).toMatchObject({ outcome: 'complete', rereads: 1 });
    const ids = async () => (await t.reader.usersByChannels(['1017'], undefined, 500, undefined)).items.map((r) => String(r.botUserId)).sort();
    // Everyone but the two who left before being read (their new activity is after this window) ...
    const expected = Array.from({ length: 60 }, (_, i) => `r${i}`).filter((id) => id !== 'r33' && id !== 'r34');
    expect(await ids()).toEqual(expected.sort());
    // ... and they come with the next window.
    expect(await t.users()).toMatchObject({ outcome: 'complete' });
    expect(await ids()).toHaveLength(60);
  });

  it('stores a user whose details the vendor refuses (400, 403) or sends unreadable, without details, and goes on', async () => {
    const t = await setup({ seed: false }, { users: 25, transcripts: 1000 });
    for (let i = 0; i < 30; i++) t.sb.addUser({ userId: `d${i}`, channelId: 1010, lastInteracted: new Date(Date.now() - 3_600_000 + i * 1000).toISOString() });
    t.sb.detailsAnswers.set('d3', { status: 403, body: { status: 'error', message: 'Forbidden' } });
    t.sb.detailsAnswers.set('d28', { status: 400, body: { status: 'error', message: 'Invalid botUserId' } });
    t.sb.detailsAnswers.set('d10', { status: 200, body: { customFields: 'not an object' } });
    const run = await t.users();
    expect(run).toMatchObject({ outcome: 'complete', pages: 2, users: 30, details: 27, detailsFailed: 3, jobs: 30 });
    expect(run.detailsFailures.map((f) => [f.botUserId, f.status]).sort()).toEqual([['d10', 200], ['d28', 400], ['d3', 403]]);
    expect(run.detailsFailures.find((f) => f.botUserId === 'd3')?.vendorMessages).toContain('Forbidden');
    // The window is done: the cursor moved on.
    expect(JSON.parse((await t.cursors.get('netcore:users'))?.value ?? '{}')).toEqual({ since: run.window.until });
    const refused = (await t.reader.userRows('d3'))[0];
    expect(refused).toMatchObject({ botUserId: 'd3', channel: '1010' });
    expect(refused?.customFields).toBeUndefined();
    expect(refused?.detailsFetchedAt).toBeUndefined();
    expect((await t.reader.userRows('d4'))[0]).toMatchObject({ customFields: { city: 'Pune' } });
  });

  it('fails the run, cursor unmoved, when a login is refused while fetching details (credentials rotated mid-run)', async () => {
    const t = await setup({ appId: 'a', appSecret: 's', seed: false }, { users: 25, transcripts: 1000 });
    for (let i = 0; i < 5; i++) t.sb.addUser({ userId: `r${i}`, channelId: 1010, lastInteracted: new Date(Date.now() - 3_600_000 + i * 1000).toISOString() });
    let secret = 's';
    const api = new NetcoreClient({ baseUrl: t.sb.url, credentials: async () => ({ appId: 'a', appSecret: secret }), retry: { baseDelayMs: 1, maxDelayMs: 5 } });
    t.sb.beforeResponse = (info) => {
      if (info.kind !== 'user') return;
      // The token lapses and the secret has been rotated elsewhere: the new login is refused (400).
      secret = 'old';
      t.sb.expireTokens();
      t.sb.beforeResponse = undefined;
    };
    await expect(t.users({ api })).rejects.toThrow(/login failed/);
    expect(await t.cursors.get('netcore:users')).toBeUndefined();
    expect(await t.res.depth()).toBe(0);
  });

  it('pages transcripts at 1000, dedupes rows shifted by inserts between pages, and a re-read finds the late one', async () => {
    const t = await setup({ seed: false });
    t.sb.addUser({ userId: 'big', channelId: 1014, lastInteracted: new Date(Date.now() - 3_600_000).toISOString() });
    const start = Date.now() - 5 * DAY;
    for (let i = 0; i < 1200; i++) t.sb.addMessage('big', 1014, sampleMessage(MESSAGE_TYPES[i % 23] ?? 'text', new Date(start + i * 1000).toISOString(), 'User', `#${i}`));
    const until = new Date().toISOString();
    const lateOld = sampleMessage('text', new Date(start + 10_000 - 1).toISOString(), 'User', 'late-old');
    const after = sampleMessage('text', new Date(Date.now() + 5_000).toISOString(), 'User', 'after-until');
    t.sb.beforeResponse = (info) => {
      if (info.kind === 'transcripts' && info.page === 2) {
        t.sb.addMessage('big', 1014, lateOld); // lands on page 1, shifts page 2 by one
        t.sb.addMessage('big', 1014, after); // after the frozen window end
      }
    };
    const job = await t.transcripts({ botUserId: 'big', channelId: 1014, until });
    expect(job).toMatchObject({ outcome: 'done', pages: 2, stored: 1200, duplicates: 1 });
    t.sb.beforeResponse = undefined;
    // Re-reading the same window stores only the late arrival.
    const again = await t.transcripts({ botUserId: 'big', channelId: 1014, since: job.startDate, until });
    expect(again).toMatchObject({ stored: 1, duplicates: 1200 });
    // The message after the window end comes with the next window.
    const next = await t.transcripts({ botUserId: 'big', channelId: 1014, until: new Date(Date.now() + 10_000).toISOString() });
    expect(next.stored).toBe(1);
    const stored = await t.allTranscripts('big');
    expect(stored).toHaveLength(1202);
    expect(new Set(stored.map((s) => s.key)).size).toBe(1202);
    const times = stored.map((s) => String(s.createdAt));
    expect(times).toEqual([...times].sort());
  }, 90_000); // 1,200 messages read twice and stored through dynalite: about 15 s at load 9 on 2 cores, over 30 s under heavier load

  it('loses nothing and stores nothing twice after a crash between storing and moving the cursor', async () => {
    const t = await setup({ seed: { usersPerChannel: 10, messagesPerUser: 30 } }, { users: 25, transcripts: 25 });
    let crashes = 0;
    const crashing: CursorStore = {
      get: (name) => t.cursors.get(name),
      async move(name, expected, value) {
        if (crashes++ === 1) throw new Error('crash after page 2 was stored');
        return t.cursors.move(name, expected, value);
      },
    };
    await expect(t.users({ cursors: crashing })).rejects.toThrow(/crash/);
    expect(JSON.parse((await t.cursors.get('netcore:users'))?.value ?? '{}')).toMatchObject({ page: 2 });
    const resumed = await t.users();
    expect(resumed).toMatchObject({ outcome: 'complete', pages: 1 });

    // The worker crashes after storing a job's messages but before its watermark moves.
    let markCrashes = 0;
    const crashingStore: NetcoreStore = {
      ...t.store,
      async markTranscriptsSynced(...args) {
        if (markCrashes++ < 3) throw new Error('crash before the watermark moved');
        return t.store.markTranscriptsSynced(...args);
      },
    };
    const drained = await t.drain({ store: crashingStore });
    expect(drained.failures).toBe(3);
    const total = [...t.sb.users.values()].length * 30;
    // The three crashed attempts stored their 30 messages each before failing; their retries find them stored.
    expect(drained.stored).toBe(total - 3 * 30);
    expect(drained.duplicates).toBeGreaterThanOrEqual(3 * 30);
    let rows = 0;
    for (const u of t.sb.users.values()) rows += (await t.allTranscripts(u.userId)).length;
    expect(rows).toBe(total);
  });

  it('stops before its time budget and resumes where it stopped, reading no page twice', async () => {
    const t = await setup({ seed: false }, { users: 25, transcripts: 100 });
    for (let i = 0; i < 60; i++) t.sb.addUser({ userId: `u${i}`, channelId: 1016, lastInteracted: new Date(Date.now() - 3_600_000 + i).toISOString() });
    for (let i = 0; i < 250; i++) t.sb.addMessage('u1', 1016, sampleMessage('text', new Date(Date.now() - DAY + i).toISOString(), 'User', `#${i}`));
    let remaining = 60_000;
    const budget: TimeBudget = { remainingMs: () => remaining, reserveMs: 1_000, requestMs: REQUEST_MS };
    let moves = 0;
    const clockRunsOutAfterPage2: CursorStore = {
      get: (name) => t.cursors.get(name),
      async move(name, expected, value) {
        const moved = await t.cursors.move(name, expected, value);
        if (++moves === 2) remaining = 500;
        return moved;
      },
    };
    const first = await t.users({ budget, cursors: clockRunsOutAfterPage2 });
    expect(first).toMatchObject({ outcome: 'time', pages: 2 });
    expect(JSON.parse((await t.cursors.get('netcore:users'))?.value ?? '{}')).toMatchObject({ page: 3, until: first.window.until });
    remaining = 60_000;
    const second = await t.users({ budget });
    expect(second).toMatchObject({ outcome: 'complete', pages: 1, window: first.window });
    expect(t.sb.counts.users).toBe(3);

    // The worker hands back the rest of a long job as a continuation job.
    let cut = true;
    t.sb.beforeResponse = (info) => {
      if (info.kind === 'transcripts' && info.page === 2 && cut) {
        cut = false;
        remaining = 500;
      }
    };
    const drained = await t.drain({
      budget: () => {
        remaining = 60_000; // each job is a new invocation
        return budget;
      },
    });
    const continued = drained.results.filter((r) => r.outcome === 'continued');
    expect(continued).toHaveLength(1);
    expect(drained.stored).toBe(250);
    expect(drained.duplicates).toBe(0);
    expect(drained.pages).toBe(60 - 1 + 3);
  });

  it('short of time, the worker queues the rest as a job starting at the first page it has not read', async () => {
    const t = await setup({ seed: false }, { users: 25, transcripts: 100 });
    t.sb.addUser({ userId: 'long', channelId: 1016 });
    for (let i = 0; i < 250; i++) t.sb.addMessage('long', 1016, sampleMessage('text', new Date(Date.now() - DAY + i).toISOString(), 'User', `#${i}`));
    let remaining = 60_000;
    t.sb.beforeResponse = (info) => {
      if (info.kind === 'transcripts' && info.page === 2) remaining = 500; // page 2 is read, page 3 is not
    };
    const until = new Date().toISOString();
    const first = await t.transcripts({ botUserId: 'long', channelId: 1016, until }, { budget: { remainingMs: () => remaining, reserveMs: 1_000, requestMs: REQUEST_MS } });
    expect(first).toMatchObject({ outcome: 'continued', pages: 2, stored: 200 });
    const [queued] = await t.res.receive();
    expect(TranscriptJob.parse(JSON.parse(queued?.body ?? '{}'))).toMatchObject({ botUserId: 'long', channelId: 1016, since: first.startDate, until, page: 3 });
    const rest = await t.transcripts(JSON.parse(queued?.body ?? '{}') as TranscriptJobInput);
    expect(rest).toMatchObject({ outcome: 'done', pages: 1, stored: 50, duplicates: 0 });
  });

  it('with 30 s left, 15 s reserve and the real client (20 s timeout), each use case stops as out of time, sending nothing', async () => {
    const t = await setup({ seed: { usersPerChannel: 1, messagesPerUser: 60 } }, { users: 25, transcripts: 25 });
    const tight: TimeBudget = { remainingMs: () => 30_000, reserveMs: 15_000, requestMs: t.api.requestTimeoutMs };
    const until = new Date().toISOString();
    expect(await t.users({ budget: tight })).toMatchObject({ outcome: 'time', pages: 0 });
    expect(await m.syncNetcoreUsage({ api: t.api, store: t.store, channels: [1010], now: () => new Date(), budget: tight })).toMatchObject({ stored: 0, stoppedEarly: true });
    expect(await t.transcripts({ botUserId: 'webchat-user-1', channelId: 1010, until }, { budget: tight })).toMatchObject({ outcome: 'continued', pages: 0 });
    expect(t.sb.counts).toMatchObject({ login: 0, users: 0, usage: 0, transcripts: 0 });
    const [queued] = await t.res.receive();
    expect(TranscriptJob.parse(JSON.parse(queued?.body ?? '{}'))).toMatchObject({ botUserId: 'webchat-user-1', page: 1, until });
  });

  it('treats a TimeBudgetError from the client (no room left for the request) as out of time', async () => {
    const t = await setup({ seed: { usersPerChannel: 1, messagesPerUser: 60 } }, { users: 25, transcripts: 25 });
    // Every look at the clock costs a second: the check before a request sees 35.5 s (just enough
    // for 15 s reserve + 20 s request), the deadline handed to the client a moment later does not.
    const ticking = (startMs: number): TimeBudget => {
      let left = startMs + 1_000;
      return { remainingMs: () => (left -= 1_000), reserveMs: 15_000, requestMs: t.api.requestTimeoutMs };
    };
    expect(await t.users({ budget: ticking(35_500) })).toMatchObject({ outcome: 'time', pages: 0, users: 0 });
    expect(await t.cursors.get('netcore:users')).toBeUndefined();
    expect(await m.syncNetcoreUsage({ api: t.api, store: t.store, channels: [1010], now: () => new Date(), budget: ticking(35_500) })).toMatchObject({ stored: 0, stoppedEarly: true });

    // Transcripts: page 1 is read with time to spare, page 2 is refused by the client; the rest is queued from page 2.
    let left = 120_000;
    const budget: TimeBudget = { remainingMs: () => (left -= 1_000), reserveMs: 15_000, requestMs: t.api.requestTimeoutMs };
    t.sb.beforeResponse = (info) => {
      if (info.kind === 'transcripts') left = 36_500;
    };
    const until = new Date().toISOString();
    const r = await t.transcripts({ botUserId: 'webchat-user-1', channelId: 1010, until }, { budget });
    expect(r).toMatchObject({ outcome: 'continued', pages: 1, stored: 25 });
    expect(t.sb.counts.transcripts).toBe(1);
    const [queued] = await t.res.receive();
    expect(TranscriptJob.parse(JSON.parse(queued?.body ?? '{}'))).toMatchObject({ botUserId: 'webchat-user-1', since: r.startDate, until, page: 2 });
  });

  it('stops in the middle of a page when time runs short, and redoes that page without losing a job', async () => {
    const t = await setup({ seed: false }, { users: 25, transcripts: 1000 });
    for (let i = 0; i < 30; i++) t.sb.addUser({ userId: `p${i}`, channelId: 1017, lastInteracted: new Date(Date.now() - 3_600_000 + i).toISOString() });
    let checks = 0;
    const short: TimeBudget = { remainingMs: () => (++checks > 10 ? 500 : 60_000), reserveMs: 1_000, requestMs: REQUEST_MS };
    const first = await t.users({ budget: short });
    expect(first.outcome).toBe('time');
    expect(first.users).toBeGreaterThan(0);
    expect(first.users).toBeLessThan(25);
    expect(await t.cursors.get('netcore:users')).toBeUndefined();
    expect(await t.res.depth()).toBe(0);
    const second = await t.users();
    expect(second).toMatchObject({ outcome: 'complete', pages: 2, users: 30, jobs: 30 });
    expect(second.details).toBe(30 - first.details);
    expect(await t.res.depth()).toBe(30);
  });

  it('renews a token that expires mid-run and rides out 429 and 500', async () => {
    const t = await setup({ seed: { usersPerChannel: 5, messagesPerUser: 30 } }, { users: 25, transcripts: 25 });
    t.sb.beforeResponse = (info) => {
      if (info.kind === 'users' && info.page === 1) t.sb.failNext(429, 1, { retryAfterSeconds: 0 });
      if (info.kind === 'transcripts' && info.page === 2) {
        t.sb.expireTokens();
        t.sb.beforeResponse = undefined;
      }
    };
    t.sb.failNext(500, 1);
    expect(await t.users()).toMatchObject({ outcome: 'complete', users: 20 });
    const drained = await t.drain();
    expect(drained).toMatchObject({ failures: 0, stored: 20 * 30 });
    expect(t.api.stats).toMatchObject({ logins: 2, renewals: 1 });
  });

  it('clamps startDate to the 3-month limit', async () => {
    const t = await setup({ seed: false });
    t.sb.addUser({ userId: 'old', channelId: 1017 });
    t.sb.addMessage('old', 1017, sampleMessage('image', new Date(Date.now() - 120 * DAY).toISOString()));
    t.sb.addMessage('old', 1017, sampleMessage('video', new Date(Date.now() - 60 * DAY).toISOString()));
    const r = await t.transcripts({ botUserId: 'old', channelId: 1017, since: new Date(Date.now() - 200 * DAY).toISOString(), until: new Date().toISOString(), page: 3 });
    expect(r).toMatchObject({ outcome: 'done', stored: 1 });
    expect(Date.parse(r.startDate ?? '')).toBeGreaterThan(Date.now() - 93 * DAY);
  });

  it('refreshes usage for this month and last, per channel and in total', async () => {
    const t = await setup({ seed: { usersPerChannel: 1, messagesPerUser: 3 } });
    const store = t.store;
    const r = await m.syncNetcoreUsage({ api: t.api, store, channels: [1010, 1014], now: () => new Date(), budget: plenty });
    expect(r).toMatchObject({ stored: 6, stoppedEarly: false });
    const month = new Date().toISOString().slice(0, 7);
    const rows = await t.reader.usage(month, undefined);
    expect(rows.map((x) => x.channel).sort()).toEqual(['1010', '1014', 'all']);
  });
});

describe('Netcore transcripts storability', () => {
  it('whatever JSON a transcript message holds, the job succeeds and each message is stored or quarantined (property)', async () => {
    const fc = (await import('fast-check')).default;
    const nest = (n: number) => JSON.parse(`${'{"a":'.repeat(n)}1${'}'.repeat(n)}`) as unknown;
    const free = fc.oneof(
      fc.jsonValue({ depthSize: 'medium' }),
      fc.integer({ min: 1, max: 60 }).map(nest),
      fc.constantFrom(12345678901234567000, 1e300, -1e-200, { '': 'empty key' }, { constructor: { name: 'String' } }),
      fc.integer({ min: 1, max: 120 }).map((kb) => 'é'.repeat(kb * 512)),
    );
    const t = await setup({ seed: false });
    const base = Date.now() - 3_600_000;
    let user = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.record({ type: fc.constantFrom('text', 'image', 'card', 'mystery'), payload: free, extra: fc.dictionary(fc.string({ maxLength: 12 }), free, { maxKeys: 3 }) }), { minLength: 1, maxLength: 6 }), async (shapes) => {
        const userId = `prop${user++}`;
        t.sb.addUser({ userId, channelId: 1010, lastInteracted: new Date(base + 60_000).toISOString() });
        shapes.forEach((s, i) => t.sb.addMessage(userId, 1010, { ...s.extra, type: s.type, payload: s.payload, from: 'user', createdAt: new Date(base + i * 1000).toISOString() }));
        const before = (await t.res.quarantined()).length;
        // Never a failure the queue would redeliver into the DLQ.
        const out = await t.transcripts({ botUserId: userId, channelId: 1010, until: new Date().toISOString() });
        const keys = new Set(t.sb.messages(userId, 1010).map((x) => messageKey(x)));
        expect(out.stored + out.duplicates + out.quarantined).toBe(t.sb.messages(userId, 1010).length);
        expect((await t.allTranscripts(userId, '1010')).length + out.quarantined).toBeGreaterThanOrEqual(keys.size);
        expect(((await t.res.quarantined()).length) - before).toBeLessThanOrEqual(out.quarantined);
      }),
      { numRuns: 25 },
    );
  }, 120_000);
});
