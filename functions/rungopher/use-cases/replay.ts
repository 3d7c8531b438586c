import * as z from 'zod';
import { contributions } from '#rungopher/domain/contact-view.ts';
import { campaignContactKey, parseResult } from '#rungopher/domain/result.ts';
import type { ContactTable, ResultTable } from '#rungopher/adapters/store.ts';
import { pageCursor } from '#platform/page-cursor.ts';
import { deadlineOf, timeBudget, type RemainingTime } from '#platform/time-budget.ts';

export interface ReplayPorts {
  readonly results: ResultTable;
  readonly contacts: ContactTable;
}

export interface ReplayOutcome {
  /** Stored results folded into their contact views again. */
  readonly replayed: number;
  /** Rows whose raw JSON no longer passes validation (the schema changed): left as they are. */
  readonly skippedCount: number;
  /** The first of them, with the reason (at most {@link MAX_SKIPPED_LISTED}). */
  readonly skipped: readonly { readonly id: string; readonly reason: string }[];
  /** Where the next call resumes; null once every row has been read. */
  readonly nextCursor: string | null;
}

/** Skipped rows listed in one answer; the rest are counted (an answer must stay small). */
export const MAX_SKIPPED_LISTED = 20;

/** Time a replay call keeps back at the end of its invocation for the answer. */
const REPLAY_SAFETY_MS = 2_000;
/** A replay call stops reading after 20 s: API Gateway gives the whole request 30 s, cold start included. */
const REPLAY_READ_MS = 20_000;

/** When a replay call over this invocation must stop reading. */
export function replayDeadline(context: RemainingTime): number {
  return deadlineOf(timeBudget(context, { reserveMs: REPLAY_SAFETY_MS, capMs: REPLAY_READ_MS + REPLAY_SAFETY_MS }));
}

/** Replay's cursor: the results table's own key (a scan's LastEvaluatedKey), strict. */
const replayCursor = pageCursor('rungopher-replay', z.object({ id: z.string().min(1) }).strict());

/**
 * Folds stored results into the contact views again, from the raw JSON each was stored with. Safe to
 * run at any time and as often as wanted: each slot is rewritten only by a result of the same or a
 * higher rank, so replaying restores missing slots (a view table restored from backup) and rewrites
 * slots whose value a corrected rule computes differently, and changes nothing that is right. It
 * works in pages and stops before `deadlineMs` with room for one more page to spare, handing back a
 * cursor.
 */
export async function replayRungopherResults(ports: ReplayPorts, opts: { cursor?: string; deadlineMs: number; pageSize?: number; now?: () => number }): Promise<ReplayOutcome> {
  const now = opts.now ?? Date.now;
  let startKey: Record<string, unknown> | undefined = replayCursor.decode(opts.cursor);
  let replayed = 0;
  let skippedCount = 0;
  const skipped: { id: string; reason: string }[] = [];
  let slowestPageMs = 0;
  do {
    const pageStart = now();
    const page = await ports.results.scan(opts.pageSize ?? 100, startKey);
    for (const row of page.items) {
      const parsed = parseResult(row.raw);
      if (!parsed.ok) {
        skippedCount++;
        if (skipped.length < MAX_SKIPPED_LISTED) skipped.push({ id: row.id, reason: parsed.reason });
        continue;
      }
      const r = parsed.result;
      for (const c of contributions(r)) await ports.contacts.apply(campaignContactKey(r.campaignId, r.contactId), r.campaignId, r.contactId, c, { rewriteEqual: true });
      replayed++;
    }
    startKey = page.lastKey;
    slowestPageMs = Math.max(slowestPageMs, now() - pageStart);
    // Another page only if one as slow as the slowest so far (with half again to spare) still fits.
  } while (startKey && now() + 1.5 * slowestPageMs < opts.deadlineMs);
  return { replayed, skippedCount, skipped, nextCursor: startKey ? replayCursor.encode({ id: String(startKey.id) }) : null };
}
