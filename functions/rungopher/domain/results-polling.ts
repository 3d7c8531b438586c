import * as z from 'zod';
import { JsonString } from '#platform/json.ts';
import { RESULT_NAMES } from './result.ts';

/**
 * Rules for polling Rungopher's result endpoints (`GET api/v1/results/<name>?after=<ISO-8601>`).
 * The endpoints return every result after a time, with no paging and no order promised; timestamps
 * have one-second precision and tie, and results can appear late. So the poller keeps, per endpoint,
 * the newest result timestamp it has stored (its high-water mark), asks for `after = mark - look-back`,
 * and relies on the store's dedupe by result id for what it reads twice.
 */

/** The twelve result endpoints the document lists (one per result name). */
export const RESULT_ENDPOINTS = RESULT_NAMES;
export type ResultEndpoint = (typeof RESULT_ENDPOINTS)[number];

/** Cursor name of an endpoint in the `cursors` table. */
export const cursorName = (endpoint: ResultEndpoint): string => `rungopher:results:${endpoint}`;

/** The timestamp of a polled item in ms, or undefined when it has none that parses. */
export function itemTimeMs(item: unknown): number | undefined {
  if (!item || typeof item !== 'object') return undefined;
  const t = (item as { timestamp?: unknown }).timestamp;
  if (typeof t !== 'string') return undefined;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}

/** An ISO-8601 time with an explicit offset, as the `after` parameter takes it. */
export const IsoWithOffset = z.iso.datetime({ offset: true });

/**
 * Formats a time for `after`: whole seconds (rounded down, so nothing at the boundary is skipped), UTC
 * written as `+00:00` so the offset form the document describes is what goes on the wire.
 */
export function formatAfter(ms: number): string {
  const floored = Math.floor(ms / 1000) * 1000;
  return new Date(floored).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

/** The query string for an endpoint; `encodeURIComponent` turns the offset's `+` into `%2B`. */
export function resultsPath(endpoint: ResultEndpoint, afterIso: string): string {
  return `results/${endpoint}?after=${encodeURIComponent(afterIso)}`;
}

/** Where a poll of one endpoint starts: the mark minus the look-back, never before the start date. */
export function pollFrom(markMs: number | undefined, lookbackMs: number, startMs: number): number {
  if (markMs === undefined) return startMs;
  return Math.max(startMs, markMs - lookbackMs);
}

/**
 * The new high-water mark after a run: the newest time among what it handled (stored, or quarantined),
 * but kept a second below the first valid item it did not get to store (the run stopped early), so
 * that item is read again whatever the look-back; and only forward.
 */
export function nextMark(previousMs: number | undefined, handledTimes: readonly number[], firstUnstoredMs: number | undefined): number | undefined {
  if (handledTimes.length === 0) return previousMs;
  const newest = Math.max(...handledTimes);
  const candidate = firstUnstoredMs === undefined ? newest : Math.min(newest, firstUnstoredMs - 1000);
  return previousMs === undefined ? candidate : Math.max(previousMs, candidate);
}

/**
 * What a cursor holds: the mark, and the ids already stored whose timestamps fall inside the next
 * look-back window. A re-read item whose id is listed is skipped instead of written again, so the
 * look-back costs reads from the vendor, not a DynamoDB write per result per run. The list is capped:
 * past the cap, re-read items are simply stored again (a duplicate, still correct).
 */
export interface PollCursor {
  readonly markMs: number;
  readonly recentIds: readonly string[];
}

/** Most ids a cursor keeps (about 20 bytes each; a DynamoDB item holds 400 KB). */
export const MAX_RECENT_IDS = 5000;

const CursorJson = JsonString(z.object({ mark: z.string(), ids: z.array(z.string()).default([]) }));

/** Reads a cursor value: the JSON form, or a bare ISO time (the mark alone). */
export function decodeCursor(value: string): PollCursor | undefined {
  if (value.startsWith('{')) {
    const parsed = CursorJson.safeParse(value);
    if (!parsed.success) return undefined;
    const markMs = Date.parse(parsed.data.mark);
    return Number.isNaN(markMs) ? undefined : { markMs, recentIds: parsed.data.ids };
  }
  const markMs = Date.parse(value);
  return Number.isNaN(markMs) ? undefined : { markMs, recentIds: [] };
}

/** Writes a cursor value. */
export function encodeCursor(cursor: PollCursor): string {
  return JSON.stringify({ mark: new Date(cursor.markMs).toISOString(), ids: cursor.recentIds.slice(-MAX_RECENT_IDS) });
}
