import { ConfigError } from './errors.ts';

/**
 * Retention per data class, through DynamoDB TTL: an item of a class is written with `expiresAt`
 * (epoch seconds) when `RETENTION_<CLASS>_DAYS` is set, and DynamoDB deletes it some time after
 * (usually within days). Off by default: nothing expires. A class is named by the code that writes it
 * and declared on its tables in the topology (`retention`). The classes, each whole items:
 * - `RAW_BODIES`: Rungopher result items (`rungopher-results`; a row is the raw body, kept once). The
 *   contact view, folded from the results, stays.
 * - `GOODAYS_EVENTS`: a Goodays conversation: its events and its thread item, counted from the
 *   conversation's latest event (each new event moves the expiry of all of them), so a thread is never
 *   refolded from part of its history.
 * - `NETCORE_TRANSCRIPTS`: Netcore transcript messages, counted from each message's time.
 * - `QUARANTINE`: quarantined bodies, counted from when they were received.
 */
export type RetentionClass = string;

/** The TTL attribute of every table with a retention class. */
export const TTL_ATTRIBUTE = 'expiresAt';

/** The environment variable of a class. */
export const retentionVariable = (c: RetentionClass): string => `RETENTION_${c}_DAYS`;

/** Longest retention that can be set (ten years); longer is the same as off. */
export const MAX_RETENTION_DAYS = 3650;

/**
 * The days a class is kept, or undefined when retention is off (unset). A value that is not a whole
 * number of days from 1 to {@link MAX_RETENTION_DAYS} fails, naming the variable.
 */
export function retentionDays(c: RetentionClass, env: Readonly<Record<string, string | undefined>> = process.env): number | undefined {
  const name = retentionVariable(c);
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_RETENTION_DAYS) throw new ConfigError(`${name} must be a whole number of days from 1 to ${MAX_RETENTION_DAYS}, got "${raw.slice(0, 40)}"`);
  return Number(raw);
}

/**
 * The `expiresAt` of an item of class `c` whose time is `from` (ISO-8601), or undefined when the class
 * is kept for ever (or `from` is no time: such an item is kept rather than expired at a guess).
 */
export function expiresAt(c: RetentionClass, from: string | undefined, env: Readonly<Record<string, string | undefined>> = process.env): number | undefined {
  const days = retentionDays(c, env);
  if (days === undefined || from === undefined) return undefined;
  const t = Date.parse(from);
  return Number.isNaN(t) ? undefined : Math.floor(t / 1000) + days * 86_400;
}

/** `{ expiresAt }` to spread into an item, or nothing. */
export function expiry(c: RetentionClass, from: string | undefined, env: Readonly<Record<string, string | undefined>> = process.env): { expiresAt?: number } {
  const at = expiresAt(c, from, env);
  return at === undefined ? {} : { expiresAt: at };
}
