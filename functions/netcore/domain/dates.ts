/** Date arithmetic the Netcore use cases share: pure, on ISO-8601 strings. */

/** `iso` moved back by `ms`, as ISO-8601. */
export function isoMinus(iso: string, ms: number): string {
  return new Date(Date.parse(iso) - ms).toISOString();
}

/** A vendor date as ISO-8601 UTC, or undefined when absent or not a date. */
export function normaliseDate(value: string | null | undefined): string | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}
