/** Helpers shared by the Netcore use cases. */

/** How much time a run has left; the handler passes `context.getRemainingTimeInMillis`. */
export interface TimeBudget {
  /** Milliseconds left before the function is stopped. */
  remainingMs(): number;
  /** Stop starting new work when fewer than this many ms remain. */
  readonly reserveMs: number;
  /**
   * The client's per-request timeout: a vendor call is started only when it can end before the
   * reserve (the client refuses one that could not, with a TimeBudgetError).
   */
  readonly requestMs: number;
}

/**
 * True while there is time to start another unit of work: one vendor request, run to its timeout,
 * must still end before the reserve.
 */
export function hasTime(budget: TimeBudget): boolean {
  return budget.remainingMs() > budget.reserveMs + budget.requestMs;
}

/** Absolute deadline (ms) for vendor retries: no retry starts once the reserve is reached. */
export function deadlineOf(budget: TimeBudget, now = Date.now()): number {
  return now + Math.max(0, budget.remainingMs() - budget.reserveMs);
}

/**
 * Runs `fn` over `items` with at most `limit` at once. After the first failure no new item starts;
 * once the ones running have settled, the first error is thrown (nothing keeps running behind the caller).
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length && !failure) {
      const i = next++;
      try {
        results[i] = await fn(items[i] as T, i);
      } catch (error) {
        failure ??= { error };
      }
    }
  });
  await Promise.all(workers);
  if (failure) throw failure.error;
  return results;
}

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
