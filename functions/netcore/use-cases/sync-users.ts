import { usersHasNext, type NetcoreUser, type UserDetails } from '#netcore/domain/api.ts';
import { userUpdated } from '#netcore/domain/outbound.ts';
import type { EventPublisher } from '#platform/outbound/publisher.ts';
import { channelIdFromName, type ChannelId, type UserChannelId } from '#netcore/domain/channels.ts';
import { isoMinus, normaliseDate } from '#netcore/domain/dates.ts';
import { UsersCursor, type TranscriptJob } from '#netcore/domain/jobs.ts';
import { NetcoreLoginError, type NetcoreApi } from '#netcore/adapters/client.ts';
import type { NetcoreStore, TranscriptJobQueue, UserRecord } from '#netcore/adapters/store.ts';
import { mapLimit } from '#platform/concurrency.ts';
import type { CustomerLinker } from '#platform/customer-index.ts';
import { userLinks } from '#netcore/domain/customer.ts';
import type { CursorStore } from '#platform/cursor-store.ts';
import { VendorError } from '#platform/errors.ts';
import { jsonCursor, pollLoop, type StoredCursorCodec } from '#platform/poll-loop.ts';
import { deadlineOf, ensureTime, type TimeBudget } from '#platform/time-budget.ts';

/** Name of the users poller's cursor in the `cursors` table. */
export const USERS_CURSOR = 'netcore:users';

export interface UsersSyncSettings {
  /** Channels asked for in one request (`channelIds`). */
  readonly channels: readonly UserChannelId[];
  /** Page size; the largest the server allows. */
  readonly limit: number;
  /** Each window starts this long before the previous one ended, for late arrivals. */
  readonly lookbackMs: number;
  /** First run (no cursor): how far back to start. */
  readonly initialLookbackMs: number;
  /** Fetch each active user's details (customFields, tags): one call per user whose activity changed. */
  readonly fetchDetails: boolean;
  /** Users stored (and details fetched) at once. */
  readonly concurrency: number;
}

export interface UsersSyncDeps {
  readonly api: Pick<NetcoreApi, 'users' | 'userDetails'>;
  readonly store: Pick<NetcoreStore, 'putUser' | 'putUserDetails'>;
  /** Where stored users are announced. */
  readonly outbound: EventPublisher;
  /** The customer index (see `linkUser`); left out, nothing is linked. */
  readonly link?: CustomerLinker;
  readonly cursors: CursorStore;
  readonly jobs: TranscriptJobQueue;
  readonly settings: UsersSyncSettings;
  readonly now: () => Date;
  readonly budget: TimeBudget;
}

export interface UsersSyncResult {
  /** Users pages requested, re-reads included. */
  readonly pages: number;
  /** Pages read again because users left the window between two reads (see {@link syncNetcoreUsers}). */
  readonly rereads: number;
  readonly users: number;
  readonly details: number;
  readonly jobs: number;
  /** Rows the vendor sent without a usable `userId` (skipped, and logged by the handler). */
  readonly rejected: number;
  readonly rejectedIssues: string[];
  /** Users whose details the vendor refused (a 4xx other than 401/404) or sent in a shape not understood. */
  readonly detailsFailed: number;
  /** The first of those failures, for the log. */
  readonly detailsFailures: DetailsFailure[];
  /** Why the run ended: the window was read to the end, time ran short, or another run moved the cursor. */
  readonly outcome: 'complete' | 'time' | 'conflict';
  readonly window: { readonly since: string; readonly until: string };
}

/** One user whose details could not be fetched; the user's row is stored without them. */
export interface DetailsFailure {
  readonly botUserId: string;
  readonly channel: string;
  readonly status: number | undefined;
  readonly message: string;
  readonly vendorMessages: readonly string[];
}

/** How many details failures a run keeps for its log line. */
const DETAILS_FAILURES_KEPT = 10;

/**
 * A details failure that concerns this user only: the vendor refused the request (400, 403, ...) or
 * answered with a body no details schema reads. Retrying would get the same answer, and failing the
 * page for it would stop the cursor, so all Netcore syncing, for one user. 401 is not one of them: the
 * client has already logged in again once, so credentials are wrong for every user; nor is a refused
 * login (whatever its status), for the same reason.
 */
function isUserDetailsFailure(err: unknown): err is VendorError {
  return err instanceof VendorError && !err.retryable && err.status !== 401 && !(err instanceof NetcoreLoginError);
}

/**
 * Lists users active in the window since the cursor (minus a look-back), page by page at the largest
 * page size, stores them, fetches the details of users whose activity changed, and sends one
 * transcripts job per user and channel. The cursor moves after each page is stored and its jobs are
 * queued, never before; a run that is short of time stops between pages and the next run continues at
 * the saved page.
 *
 * Pages shifting under the reader. The window end is frozen for the whole window (kept in the cursor),
 * so new activity adds no rows to it. But the vendor filters on the last interaction: a user who
 * becomes active again LEAVES the window. Leaving from a page already read shifts every later row up
 * by one, so the row at the next page boundary moves onto the page already read and would be skipped;
 * the next window, which starts a look-back before this one ends, would not reach back to it either.
 * Each page answer carries the window's `total`: when it is lower than the total of the page read
 * before (kept in the cursor across runs), `d` users left, so the rows that moved across the boundary
 * are now on the `ceil(d / limit)` pages before this one: those pages are read again at once, then
 * reading goes on after the current page. Re-reading is harmless: users already handled in this run
 * are skipped, and storage is idempotent. Rows shifted down instead (late arrivals inside the window)
 * are simply read twice. Not covered: a leave and a late arrival between the same two reads cancel out
 * in `total`, and a server that sends no `total`; both are rare, and such a user is read again when
 * active next. Alternatives weighed: re-reading every previous page (twice the calls always), and
 * re-reading the whole window when the total changed (never converges on a busy bot).
 */
export async function syncNetcoreUsers(deps: UsersSyncDeps): Promise<UsersSyncResult> {
  const { settings } = deps;
  const now = deps.now().toISOString();
  /** The window a stored position is in: the frozen one being read, or the next one after it. */
  const windowOf = (saved: UsersCursor | undefined) => ({
    since: saved?.until ? saved.since : saved ? isoMinus(saved.since, settings.lookbackMs) : isoMinus(now, settings.initialLookbackMs),
    until: saved?.until ?? now,
  });
  let window = windowOf(undefined);
  const stored = jsonCursor(USERS_CURSOR, UsersCursor);
  // The window is known as soon as the loop has read the stored position, so that a run out of time
  // before its first page still reports the window it would have read.
  const codec: StoredCursorCodec<UsersCursor> = {
    decode: (value) => {
      const saved = stored.decode(value);
      window = windowOf(saved);
      return saved;
    },
    encode: stored.encode,
  };
  const totals = { pages: 0, rereads: 0, users: 0, details: 0, jobs: 0, rejected: 0, rejectedIssues: [] as string[], detailsFailed: 0, detailsFailures: [] as DetailsFailure[] };
  /** Users handled in this run (`id#channel#activity`): a re-read page skips them. */
  const handled = new Set<string>();

  const read = async (n: number) => {
    const { since, until } = window;
    const res = await deps.api.users({ page: n, limit: settings.limit, channelIds: settings.channels, startDate: since, endDate: until }, { deadline: deadlineOf(deps.budget) });
    totals.pages++;
    totals.rejected += res.rejected;
    totals.rejectedIssues.push(...res.rejectedIssues.slice(0, 5 - totals.rejectedIssues.length));
    return res;
  };

  const store = async (users: readonly NetcoreUser[], jobs: TranscriptJob[]) => {
    const deadline = deadlineOf(deps.budget);
    await mapLimit(users, settings.concurrency, async (user) => {
      // A page of 1000 users needing details can outlast the budget: stop cleanly, the page is redone.
      ensureTime(deps.budget, 'the rest of the users page');
      const record = toRecord(user, settings.channels);
      const id = `${record.botUserId}#${record.channel}#${record.lastInteractedAt ?? ''}`;
      if (handled.has(id)) return;
      const state = await deps.store.putUser(record, deps.now().toISOString());
      await linkUser(deps, record, deps.now().toISOString());
      handled.add(id);
      totals.users++;
      if (!state.updated) return; // a newer version is stored; the run that stored it did the rest
      let announcedDetails: UserDetails | undefined;
      const active = record.lastInteractedAt;
      if (settings.fetchDetails && (!state.detailsFetchedAt || !active || state.detailsFetchedAt < active)) {
        let details;
        try {
          details = await deps.api.userDetails(record.botUserId, { deadline });
        } catch (err) {
          if (!isUserDetailsFailure(err)) throw err;
          // The row stays without details (detailsFetchedAt unset), so a later read of this user tries again.
          totals.detailsFailed++;
          if (totals.detailsFailures.length < DETAILS_FAILURES_KEPT) {
            totals.detailsFailures.push({ botUserId: record.botUserId, channel: record.channel, status: err.status, message: err.message, vendorMessages: err.vendorMessages });
          }
        }
        if (details) {
          await deps.store.putUserDetails(record.botUserId, record.channel, details, deps.now().toISOString());
          await linkUser(deps, record, deps.now().toISOString(), details.customFields);
          totals.details++;
          announcedDetails = details;
        }
      }
      // Announced before the cursor moves past the page: a run that died first reads the page again,
      // stores the user again (same activity passes the condition) and announces it again, same id.
      await deps.outbound.publish([userEvent(record, announcedDetails, deps.now().toISOString())]);
      if (!state.transcriptsSyncedTo || !active || state.transcriptsSyncedTo < active) {
        const channels: readonly ChannelId[] = record.channelId !== undefined ? [record.channelId] : settings.channels;
        for (const channelId of channels) jobs.push({ botUserId: record.botUserId, channelId, until: window.until, page: 1, lastInteractedAt: active });
      }
    });
  };

  // The kit's loop reads the cursor, stops between pages when time runs short (a TimeBudgetError from
  // a page, the client's included, ends the run the same way) and moves the cursor only after a page
  // resolved, that is once its users are stored and their jobs queued. Users stored by an unfinished
  // page keep their rows; their jobs are sent when the page is read again (their watermark has not moved).
  const run = await pollLoop<UsersCursor>({
    cursors: deps.cursors,
    name: USERS_CURSOR,
    codec,
    budget: deps.budget,
    page: async (position) => {
      const { since, until } = window;
      const page = position?.until ? (position.page ?? 1) : 1;
      /** `total` of the last page read forward (undefined at a window's first page or when the server sends none). */
      const lastTotal = position?.until ? position.total : undefined;
      const jobs: TranscriptJob[] = [];
      const res = await read(page);
      const total = res.total ?? undefined;
      await store(res.users, jobs);
      // Users left the window since the last page was read: the rows that crossed the page boundary
      // are now on the pages before this one; read those again before going on.
      if (page > 1 && lastTotal !== undefined && total !== undefined && total < lastTotal) {
        const back = Math.min(page - 1, Math.ceil((lastTotal - total) / settings.limit));
        for (let n = page - back; n < page; n++) {
          ensureTime(deps.budget, 'the users pages read again');
          totals.rereads++;
          await store((await read(n)).users, jobs);
        }
      }
      await deps.jobs.send(jobs);
      totals.jobs += jobs.length;
      const more = usersHasNext(res, page, settings.limit) && res.users.length > 0;
      return { next: more ? { since, until, page: page + 1, ...(total !== undefined ? { total } : {}) } : { since: until }, more };
    },
  });
  return { ...totals, outcome: run.outcome, window };
}

/**
 * The run as its log lines show it: without the users' ids (a WhatsApp or SMS user's id is their
 * phone number) nor the failures' messages (the request path carries the id).
 */
export function usersPollLog(result: UsersSyncResult) {
  const { detailsFailures, ...rest } = result;
  return { ...rest, detailsFailures: detailsFailures.map((f) => ({ channel: f.channel, status: f.status, vendorMessages: f.vendorMessages })) };
}

/**
 * A listed user, normalised. The channel comes from `channelName`; when only one channel was asked
 * for, that one. A name the document does not list is kept as `name:<channelName>`.
 */
export function toRecord(user: NetcoreUser, asked: readonly UserChannelId[]): UserRecord {
  const channelId = channelIdFromName(user.channelName) ?? (asked.length === 1 ? asked[0] : undefined);
  const lastInteractedAt =
    normaliseDate(user['last interacted date']) ?? normaliseDate(user['first interacted date']) ?? normaliseDate(user.createdDate);
  return {
    botUserId: user.userId,
    channel: channelId !== undefined ? String(channelId) : `name:${user.channelName ?? 'unknown'}`,
    channelId,
    lastInteractedAt,
    raw: user,
  };
}

/** The `netcore.user.updated` event of a stored user; its id names the user, channel, activity and whether details came with it. */
function userEvent(record: UserRecord, details: UserDetails | undefined, time: string) {
  return userUpdated.make({
    idParts: [record.botUserId, record.channel, record.lastInteractedAt ?? '', details ? 'details' : ''],
    key: { botUserId: record.botUserId, channel: record.channel, ...(record.lastInteractedAt ? { lastInteractedAt: record.lastInteractedAt } : {}) },
    body: {
      user: record.raw as Record<string, unknown>,
      ...(details?.customFields ? { customFields: details.customFields } : {}),
      ...(details?.tags ? { tags: details.tags } : {}),
    },
    time,
  });
}

/**
 * Links a stored user row to its id on the channel, its phone number when the id is one, and what its
 * custom fields carry (the customer index). Linked also when a newer row was stored first: linking is
 * idempotent and keeps the newest time.
 */
export async function linkUser(deps: Pick<UsersSyncDeps, 'link'>, record: UserRecord, seenAt: string, customFields?: unknown): Promise<void> {
  await deps.link?.(userLinks({ botUserId: record.botUserId, channel: record.channel, at: record.lastInteractedAt ?? seenAt }, customFields));
}
