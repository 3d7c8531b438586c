import { earliestTranscriptStart, transcriptsHasNext } from '#netcore/domain/api.ts';
import type { TranscriptJob } from '#netcore/domain/jobs.ts';
import { itemCreatedAt, messageKey, parseTranscriptItem } from '#netcore/domain/messages.ts';
import { NetcoreLoginError, type NetcoreApi } from '#netcore/adapters/client.ts';
import type { MessageRecord, NetcoreStore, TranscriptJobQueue } from '#netcore/adapters/store.ts';
import { TRANSCRIPT_KEYS, messageItem } from '#netcore/adapters/store.ts';
import type { Quarantine } from '#platform/quarantine.ts';
import { storableReason } from '#platform/storable.ts';
import { TimeBudgetError, VendorError } from '#platform/errors.ts';
import { isoMinus } from '#netcore/domain/dates.ts';
import { mapLimit } from '#platform/concurrency.ts';
import type { CustomerLinker } from '#platform/customer-index.ts';
import { transcriptLinks } from '#netcore/domain/customer.ts';
import { deadlineOf, hasTime, type TimeBudget } from '#platform/time-budget.ts';
import type { EventPublisher } from '#platform/outbound/publisher.ts';
import { batchEvent } from '#netcore/domain/outbound.ts';

export interface TranscriptsSyncSettings {
  /** Page size (25..1000); 1000 means the fewest calls. */
  readonly limit: number;
  /** A job without `since` starts this long before the stored watermark, for late arrivals. */
  readonly lookbackMs: number;
  /** Kept inside the 3-month limit by this much, so a request built now is still valid when checked. */
  readonly windowMarginMs: number;
  /** Messages stored at once. */
  readonly concurrency: number;
}

export interface TranscriptsSyncDeps {
  readonly api: Pick<NetcoreApi, 'transcripts'>;
  readonly store: Pick<NetcoreStore, 'getUser' | 'putMessage' | 'putBotUserCustomFields' | 'markTranscriptsSynced'>;
  /** The customer index (see `linkTranscripts`); left out, nothing is linked. */
  readonly link?: CustomerLinker;
  /** Where the rest of a job goes when time runs short. */
  readonly jobs: TranscriptJobQueue;
  readonly settings: TranscriptsSyncSettings;
  /** Where each stored batch is announced. */
  readonly outbound: EventPublisher;
  readonly now: () => Date;
  readonly budget: TimeBudget;
  /** Where a message DynamoDB cannot store goes (stage `poller`), with the reason, instead of failing the job. */
  readonly quarantine: Quarantine;
}

export interface TranscriptsSyncResult {
  /** done: window read to the end; continued: the rest was queued as a new job; skipped: already synced. */
  readonly outcome: 'done' | 'continued' | 'skipped';
  readonly pages: number;
  readonly stored: number;
  readonly duplicates: number;
  readonly unknownShapes: number;
  /** Messages that could not be stored as items, quarantined. */
  readonly quarantined: number;
  readonly startDate?: string;
}

/**
 * Reads one user's transcripts on one channel for the job's frozen window, page by page, and stores
 * each message once under its stable key. `startDate` is clamped to the vendor's 3-month limit. When
 * time runs short before a page is read (too little left for a request to run to its timeout, or the
 * client refusing to start one with a TimeBudgetError), it queues the rest as a job for the same
 * window (same `startDate`) starting at that unread page, the first one it has not read (every page
 * before it is already stored), and returns; when the window is read to the end the user's watermark moves to the
 * window end, so later jobs for the same activity are skipped without a vendor call.
 */
export async function syncNetcoreTranscripts(job: TranscriptJob, deps: TranscriptsSyncDeps): Promise<TranscriptsSyncResult> {
  const { settings } = deps;
  const channel = String(job.channelId);
  const totals = { pages: 0, stored: 0, duplicates: 0, unknownShapes: 0, quarantined: 0 };
  const user = await deps.store.getUser(job.botUserId, channel);
  const watermark = typeof user?.transcriptsSyncedTo === 'string' ? user.transcriptsSyncedTo : undefined;
  if (job.since === undefined && job.page === 1 && watermark && watermark >= job.until) return { ...totals, outcome: 'skipped' };

  const now = deps.now();
  const earliest = earliestTranscriptStart(now, settings.windowMarginMs).toISOString();
  // The server's own limit, with one minute for the request to get there: a window that starts after it
  // is still valid, so a continuation keeps its start and page.
  const limit = earliestTranscriptStart(now, 60_000).toISOString();
  const wanted = job.since ?? (watermark ? isoMinus(watermark, settings.lookbackMs) : earliest);
  // A start that has fallen out of the 3-month limit moves to the earliest valid one, and reading
  // restarts at page 1: page numbers of the old window mean nothing in the new one.
  const clamped = job.since !== undefined ? wanted < limit : wanted < earliest;
  const startDate = clamped ? earliest : wanted;
  let page = clamped ? 1 : job.page;
  if (startDate >= job.until) {
    await deps.store.markTranscriptsSynced(job.botUserId, channel, job.until);
    return { ...totals, outcome: 'done', startDate };
  }

  const continueLater = async (): Promise<TranscriptsSyncResult> => {
    await deps.jobs.send([{ ...job, since: startDate, page }]);
    return { ...totals, outcome: 'continued', startDate };
  };
  for (;;) {
    if (!hasTime(deps.budget)) return await continueLater();
    let res;
    try {
      res = await deps.api.transcripts(
        { page, limit: settings.limit, botUserId: job.botUserId, channelId: job.channelId, startDate, endDate: job.until },
        { deadline: deadlineOf(deps.budget) },
      );
    } catch (err) {
      // The client would not start a request (or a retry, or a new login) that could outlast the
      // budget: out of time, exactly as if the check above had said so. Handing the record back
      // instead would restart the job at its first page, and on a long window never finish.
      if (err instanceof TimeBudgetError) return await continueLater();
      throw err;
    }
    totals.pages++;
    const customFields = res.botUser?.customFields;
    if (customFields && Object.keys(customFields).length > 0 && totals.pages === 1) {
      await deps.store.putBotUserCustomFields(job.botUserId, channel, customFields);
    }
    const storedAt = deps.now().toISOString();
    const records = keyed(res.transcripts).map(
      ({ raw, key }): MessageRecord => ({ botUserId: job.botUserId, channelId: job.channelId, key, createdAt: itemCreatedAt(raw), entry: parseTranscriptItem(raw), storedAt }),
    );
    const announce = new Set<MessageRecord>();
    await mapLimit(records, settings.concurrency, async (r) => {
      if (r.entry.shape === 'unknown') totals.unknownShapes++;
      const unstorable = storableReason(messageItem(r), TRANSCRIPT_KEYS);
      if (unstorable) {
        // Kept whole in the quarantine (its text, truncated past 200 KB), and the job goes on; the
        // quarantine announces it (hub.quarantined), the batch does not.
        await deps.quarantine.put({ vendor: 'netcore', reason: `transcript message cannot be stored: ${unstorable}`, body: JSON.stringify(r.entry.raw) ?? 'null', requestId: r.key, receivedAt: storedAt, stage: 'poller' });
        totals.quarantined++;
        return;
      }
      const fresh = await deps.store.putMessage(r);
      if (fresh) totals.stored++;
      else totals.duplicates++;
      // New messages, and every message past the watermark: the watermark moves only once the whole
      // window is read, after its batches were announced, so a job that died between storing a page
      // and announcing it announces that page again on its redelivery (same event id for the same page).
      if (fresh || !watermark || !r.createdAt || r.createdAt > watermark) announce.add(r);
    });
    await linkTranscripts(deps, job.botUserId, channel, records, customFields);
    // In the page's order, whatever order the stores finished in.
    const announced = records.filter((r) => announce.has(r));
    if (announced.length) {
      await deps.outbound.publish([
        batchEvent(job.botUserId, job.channelId, announced.map((r) => ({ key: r.key, createdAt: r.createdAt, type: r.entry.type, shape: r.entry.shape, raw: r.entry.raw })), storedAt),
      ]);
    }
    if (!transcriptsHasNext(res, page, settings.limit) || res.transcripts.length === 0) {
      await deps.store.markTranscriptsSynced(job.botUserId, channel, job.until);
      return { ...totals, outcome: 'done', startDate };
    }
    page++;
  }
}

/** What the worker makes of one job: synced (to the end, continued or skipped), or refused by the vendor. */
export type TranscriptsJobOutcome =
  | { readonly refused: false; readonly result: TranscriptsSyncResult }
  | { readonly refused: true; readonly status: number | undefined; readonly vendorMessages: readonly string[] };

/**
 * One transcripts job as the queue consumer runs it: {@link syncNetcoreTranscripts}, with the
 * vendor's refusals of this one job (400, 403, 404, 422) told apart. Such a job is acknowledged, not
 * retried: asking again gets the same answer, and the user's watermark has not moved, so the next job
 * for this user (its next activity) reads the same messages again. Anything else is thrown and fails
 * the record, so SQS redelivers it and after its last receive it goes to the DLQ for a redrive:
 * 429/5xx/timeouts after their retries, DynamoDB and SQS errors, a 401 after a fresh login or a
 * refused login (credentials wrong for every job), a body the client cannot read (a format change).
 */
export async function runTranscriptsJob(job: TranscriptJob, deps: TranscriptsSyncDeps): Promise<TranscriptsJobOutcome> {
  try {
    return { refused: false, result: await syncNetcoreTranscripts(job, deps) };
  } catch (err) {
    if (!isJobRefusal(err)) throw err;
    return { refused: true, status: err.status, vendorMessages: err.vendorMessages };
  }
}

/** Vendor answers that refuse this one job; asking again would get the same answer. */
const JOB_REFUSALS: ReadonlySet<number> = new Set([400, 403, 404, 422]);

/**
 * A refusal about this job only. Not a 401 (the client has already logged in again once: the
 * credentials are wrong for every job), not a refused login, not a body the client cannot read (a
 * vendor format change): those fail the record, so it is retried and ends in the DLQ for a redrive.
 */
function isJobRefusal(err: unknown): err is VendorError {
  return err instanceof VendorError && !(err instanceof NetcoreLoginError) && err.status !== undefined && JOB_REFUSALS.has(err.status) && !err.retryable;
}

/**
 * Stable keys for a page of items. Two identical items in one page (the same text sent twice in the
 * same instant) are told apart by their order of appearance, so both are kept.
 */
function keyed(items: readonly unknown[]): { raw: unknown; key: string }[] {
  const seen = new Map<string, number>();
  return items.map((raw) => {
    const base = messageKey(raw);
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return { raw, key: n === 1 ? base : `${base}~${n}` };
  });
}

/**
 * Links a page of stored messages (one link per user and channel, at the newest message's time) to
 * the user's id, its phone number when the id is one, and its custom fields' contacts.
 */
export async function linkTranscripts(deps: Pick<TranscriptsSyncDeps, 'link'>, botUserId: string, channel: string, records: readonly MessageRecord[], customFields?: unknown): Promise<void> {
  if (records.length === 0) return;
  const newest = records.reduce((max, r) => (r.createdAt && r.createdAt > max ? r.createdAt : max), records[0]?.storedAt ?? '');
  await deps.link?.(transcriptLinks(botUserId, channel, newest, customFields));
}
