import { parseResultValue, type RungopherResult } from '#rungopher/domain/result.ts';
import { RESULT_ENDPOINTS, cursorName, decodeCursor, encodeCursor, formatAfter, itemTimeMs, nextMark, pollFrom, type PollCursor, type ResultEndpoint } from '#rungopher/domain/results-polling.ts';
import { mapLimitSettled } from '#platform/concurrency.ts';
import { pollLoop } from '#platform/poll-loop.ts';
import { nestingReason, storableCopy } from '#platform/storable.ts';
import { resultStorability } from './store-result.ts';
import type { CursorStore } from '#platform/cursor-store.ts';
import type { Quarantine } from '#platform/quarantine.ts';
import { TimeBudgetError, VendorError } from '#platform/errors.ts';
import type { RetryPolicy } from '#platform/vendor-http.ts';

/**
 * The results poller: the safety net under the Rungopher webhook. For each of the 12 result
 * endpoints, with its own cursor (the newest result timestamp stored so far), it reads everything
 * after `cursor - look-back`, stores each result through the same store as the webhook (a result
 * that came both ways is stored once), and only then moves the cursor, forward, conditionally.
 */

/** Port: where results go. The handler wires it to `storeRungopherResult` with source `poller`. */
export interface ResultSink {
  store(result: RungopherResult, raw: string): Promise<'stored' | 'duplicate'>;
}

/** Port: the vendor's result endpoints (the Rungopher client). */
export interface ResultsSource {
  results(endpoint: ResultEndpoint, afterIso: string, policy: RetryPolicy & { timeoutMs?: number }): Promise<unknown[]>;
}

export interface PollPorts {
  readonly source: ResultsSource;
  readonly sink: ResultSink;
  readonly cursors: CursorStore;
  readonly quarantine: Quarantine;
  /** Metric counter. */
  readonly count?: (name: string, value: number) => void;
  readonly now?: () => number;
}

export interface PollSettings {
  /** How far behind its cursor each poll starts again. */
  readonly lookbackMs: number;
  /** Where an endpoint with no cursor starts. */
  readonly startMs: number;
  /** Absolute time (ms) by which the run must have finished; nothing new starts after it. */
  readonly deadlineMs: number;
  /** Results stored in parallel. @default 8 */
  readonly storeConcurrency?: number;
  /** @default all 12 */
  readonly endpoints?: readonly ResultEndpoint[];
  /** Retry policy for each endpoint read (the deadline is added). */
  readonly retry?: RetryPolicy;
  /** Longest a single read may take. @default 10_000 */
  readonly requestTimeoutMs?: number;
}

export type EndpointStatus = 'done' | 'vendor-unavailable' | 'vendor-rejected' | 'out-of-time' | 'cursor-conflict' | 'store-failed';

export interface EndpointOutcome {
  readonly endpoint: ResultEndpoint;
  readonly status: EndpointStatus;
  readonly after?: string;
  readonly read: number;
  readonly stored: number;
  readonly duplicates: number;
  /** Re-read items skipped because the cursor lists them as stored already. */
  readonly known: number;
  readonly quarantined: number;
  readonly cursorFrom?: string;
  readonly cursorTo?: string;
  readonly cursorMoved: boolean;
  readonly error?: string;
}

export interface PollOutcome {
  readonly endpoints: readonly EndpointOutcome[];
  /** Why the run ended before the last endpoint, if it did. */
  readonly stopped?: 'vendor-unavailable' | 'out-of-time' | 'cursor-conflict' | 'store-failed';
  readonly stored: number;
  readonly duplicates: number;
  /** Errors that need a person (4xx from the vendor, storage failures); the handler fails the run. */
  readonly errors: readonly string[];
}

/** Metric names. `ResultsFirstSeenByPoller` > 0 means the webhook missed (or had not yet delivered) them. */
export const POLL_METRICS = {
  read: 'RungopherResultsPolled',
  firstSeen: 'ResultsFirstSeenByPoller',
  duplicate: 'RungopherPolledDuplicates',
  quarantined: 'RungopherPolledQuarantined',
  vendorUnavailable: 'RungopherPollVendorUnavailable',
  cursorConflict: 'RungopherPollCursorConflicts',
} as const;

interface Item {
  readonly result: RungopherResult;
  readonly raw: string;
  readonly t: number;
}

/** Endpoints in a row answering 429/5xx/timeouts after their retries before the run gives up on the vendor. */
export const MAX_UNAVAILABLE_IN_A_ROW = 3;

/**
 * Runs one poll over every endpoint. An endpoint that is unavailable or held by an overlapping run is
 * skipped (its cursor stays); the run stops early only at the deadline, on a storage failure, or after
 * {@link MAX_UNAVAILABLE_IN_A_ROW} unavailable endpoints in a row.
 */
export async function pollRungopherResults(ports: PollPorts, settings: PollSettings): Promise<PollOutcome> {
  const now = ports.now ?? Date.now;
  const count = ports.count ?? (() => undefined);
  const outcomes: EndpointOutcome[] = [];
  const errors: string[] = [];
  let stopped: PollOutcome['stopped'];
  let unavailableInARow = 0;

  for (const endpoint of settings.endpoints ?? RESULT_ENDPOINTS) {
    if (now() >= settings.deadlineMs) {
      stopped = 'out-of-time';
      break;
    }
    const outcome = await pollEndpoint(ports, settings, endpoint, now, count);
    outcomes.push(outcome);
    if (outcome.status === 'vendor-rejected' || outcome.status === 'store-failed') errors.push(`${endpoint}: ${outcome.error ?? outcome.status}`);
    // One endpoint that keeps failing (or that another run holds) must not hide the ones after it:
    // go on. Stop only when time is up, storage fails, or the vendor looks down as a whole.
    unavailableInARow = outcome.status === 'vendor-unavailable' ? unavailableInARow + 1 : 0;
    if (outcome.status === 'out-of-time' || outcome.status === 'store-failed') {
      stopped = outcome.status;
      break;
    }
    if (unavailableInARow >= MAX_UNAVAILABLE_IN_A_ROW) {
      stopped = 'vendor-unavailable';
      break;
    }
  }
  return {
    endpoints: outcomes,
    ...(stopped ? { stopped } : {}),
    stored: outcomes.reduce((n, o) => n + o.stored, 0),
    duplicates: outcomes.reduce((n, o) => n + o.duplicates, 0),
    errors,
  };
}

/**
 * One endpoint, through the kit's poll loop: its cursor read, one read of everything after it (the
 * endpoint has no pages), the results stored, and only then the cursor moved, conditionally.
 */
async function pollEndpoint(
  ports: PollPorts,
  settings: PollSettings,
  endpoint: ResultEndpoint,
  now: () => number,
  count: (name: string, value: number) => void,
): Promise<EndpointOutcome> {
  let outcome: EndpointOutcome = { endpoint, status: 'out-of-time', read: 0, stored: 0, duplicates: 0, known: 0, quarantined: 0, cursorMoved: false };
  const loop = await pollLoop<PollCursor>({
    cursors: ports.cursors,
    name: cursorName(endpoint),
    codec: { decode: decodeCursor, encode: encodeCursor },
    budget: { remainingMs: () => settings.deadlineMs - now(), reserveMs: 0, requestMs: 0 },
    page: async (decoded) => {
      const read = await readEndpoint(ports, settings, endpoint, decoded, now, count);
      outcome = read.outcome;
      return { more: false, ...(read.next ? { next: read.next } : {}) };
    },
  });
  if (loop.outcome !== 'conflict') return { ...outcome, cursorMoved: loop.moved };
  // Another run moved it first: what we stored is deduped by id, and that run owns the cursor now.
  count(POLL_METRICS.cursorConflict, 1);
  return { ...outcome, cursorMoved: false, ...(outcome.status === 'done' ? { status: 'cursor-conflict' as const } : {}) };
}

/** Reads one endpoint after its cursor and stores what is new; says where the cursor may go. */
async function readEndpoint(
  ports: PollPorts,
  settings: PollSettings,
  endpoint: ResultEndpoint,
  decoded: PollCursor | undefined,
  now: () => number,
  count: (name: string, value: number) => void,
): Promise<{ readonly outcome: EndpointOutcome; readonly next?: PollCursor }> {
  const markMs = decoded?.markMs;
  const knownIds = new Set(decoded?.recentIds ?? []);
  const after = formatAfter(pollFrom(markMs, settings.lookbackMs, settings.startMs));
  const base = { endpoint, after, read: 0, stored: 0, duplicates: 0, known: 0, quarantined: 0, cursorMoved: false, ...(decoded ? { cursorFrom: new Date(decoded.markMs).toISOString() } : {}) };

  let items: unknown[];
  try {
    const timeoutMs = Math.max(1, Math.min(settings.requestTimeoutMs ?? 10_000, settings.deadlineMs - now()));
    items = await ports.source.results(endpoint, after, { ...settings.retry, deadline: settings.deadlineMs, timeoutMs });
  } catch (err) {
    // Too little time left to even start the read: the run is over, the vendor is not at fault.
    if (err instanceof TimeBudgetError) return { outcome: { ...base, status: 'out-of-time', error: err.message } };
    if (err instanceof VendorError && err.retryable) {
      // 429/5xx/timeouts were already retried with jittered back-off; the next scheduled run resumes.
      count(POLL_METRICS.vendorUnavailable, 1);
      return { outcome: { ...base, status: 'vendor-unavailable', error: err.message } };
    }
    if (err instanceof VendorError) return { outcome: { ...base, status: 'vendor-rejected', error: err.message } };
    throw err;
  }
  count(POLL_METRICS.read, items.length);

  const valid: Item[] = [];
  /** Times of invalid items put in quarantine: handled, so the mark may pass them. */
  const quarantinedTimes: number[] = [];
  let quarantined = 0;
  for (const item of items) {
    // An item nested thousands deep would overflow JSON.stringify: it is kept as a storable copy (its
    // depth named where it was cut), never stored as a result.
    const deep = nestingReason(item);
    const raw = JSON.stringify(deep ? storableCopy(item) : item);
    const read = parseResultValue(item);
    const unstorable = deep ? `the result is ${deep}` : read.ok ? resultStorability(read.result, raw, item) : undefined;
    const parsed = unstorable ? { ok: false as const, reason: `cannot be stored: ${unstorable}` } : read;
    if (parsed.ok) {
      valid.push({ result: parsed.result, raw, t: Date.parse(parsed.result.timestamp) });
      continue;
    }
    // Kept, never dropped. An invalid item inside the look-back was quarantined by the run that first
    // read it above the cursor, so only items beyond the cursor (or without a time) are put there now.
    const t = itemTimeMs(item);
    if (t === undefined || markMs === undefined || t > markMs) {
      const kept = await ports.quarantine.put({ vendor: 'rungopher', reason: `polled from results/${endpoint}: ${parsed.reason}`, body: raw, receivedAt: new Date(now()).toISOString(), stage: 'poller', retry: { queue: 'rungopher-results', as: 'envelope', source: 'poller' } });
      // An item without a time is read again every run; it is counted (and alarmed on) once.
      if (kept.created) quarantined++;
      if (t !== undefined) quarantinedTimes.push(t);
    }
  }
  count(POLL_METRICS.quarantined, quarantined);
  valid.sort((a, b) => a.t - b.t || compareIds(a.result.id, b.result.id));
  // Items a previous run stored and recorded in the cursor are not written again.
  const known = valid.filter((it) => knownIds.has(it.result.id));
  const fresh = valid.filter((it) => !knownIds.has(it.result.id));

  // No store starts once the deadline has passed; after a failure none starts either.
  const run = await mapLimitSettled(fresh, Math.max(1, settings.storeConcurrency ?? 8), (it) => ports.sink.store(it.result, it.raw), () => now() >= settings.deadlineMs);
  let stored = 0;
  let duplicates = 0;
  for (const s of run.settled) {
    if (s?.status !== 'fulfilled') continue;
    if (s.value === 'stored') stored++;
    else duplicates++;
  }
  // The cursor may only pass items that are stored: the prefix that succeeded, in time order.
  const prefix = run.settled.findIndex((s) => s?.status !== 'fulfilled');
  const confirmed = prefix === -1 ? fresh : fresh.slice(0, prefix);
  const status: EndpointStatus = run.stopped === 'failure' ? 'store-failed' : run.stopped === 'stop' ? 'out-of-time' : 'done';
  const error = run.firstError ? String((run.firstError.error as Error)?.message ?? run.firstError.error) : undefined;
  count(POLL_METRICS.firstSeen, stored);
  count(POLL_METRICS.duplicate, duplicates);

  const firstUnstored = fresh[confirmed.length]?.t;
  const mark = nextMark(markMs, [...confirmed.map((it) => it.t), ...quarantinedTimes], firstUnstored);
  const outcome: EndpointOutcome = { ...base, status, read: items.length, stored, duplicates, known: known.length, quarantined, ...(error ? { error } : {}) };
  if (mark === undefined || (mark === markMs && confirmed.length === 0)) return { outcome };
  // Ids the next run will read again (inside its look-back) and may skip: everything confirmed
  // stored, by this run or an earlier one, above the next window's start (a second of slack for
  // the whole-second `after`).
  const windowStart = mark - settings.lookbackMs - 1000;
  const confirmedIds = new Set(confirmed.map((it) => it.result.id));
  const recentIds = valid.filter((it) => (knownIds.has(it.result.id) || confirmedIds.has(it.result.id)) && it.t >= windowStart).map((it) => it.result.id);
  return { outcome: { ...outcome, cursorTo: new Date(mark).toISOString() }, next: { markMs: mark, recentIds } };
}

function compareIds(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
  return a < b ? -1 : a > b ? 1 : 0;
}
