/**
 * Times as the operator API shows them: ISO-8601 in UTC (`2020-02-05T09:20:39.810686Z`). Vendors send
 * offsets (`+01:00`) and microseconds; the instant is moved to UTC and the fraction kept as it came,
 * so no precision is lost and the text sorts as the instants do.
 */

const ISO = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * `value` as ISO-8601 UTC, or null when it is not a time (absent, not a string or number, not a date).
 * A time without an offset is read as UTC; a number is epoch milliseconds.
 */
export function utcTime(value: unknown): string | null {
  if (typeof value === 'number') return Number.isFinite(value) && Math.abs(value) <= 8.64e15 ? new Date(value).toISOString() : null;
  if (typeof value !== 'string') return null;
  const m = ISO.exec(value.trim());
  if (!m) return null;
  const [, date, clock, fraction, zone] = m;
  const seconds = clock && clock.length === 5 ? `${clock}:00` : clock;
  const offset = !zone || zone.toUpperCase() === 'Z' ? 'Z' : zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const at = new Date(`${date}T${seconds}${offset}`);
  if (Number.isNaN(at.getTime())) return null;
  // Read to the second; the vendor's own fraction (any number of digits) follows as it came.
  return `${at.toISOString().slice(0, 19)}${fraction ?? '.000'}Z`;
}
