import { TimeBudgetError } from './errors.ts';

/**
 * How much time a run has left, and how much of it is not to be spent: the one time budget of every
 * handler, queue consumer and poll loop. A Lambda gives its remaining time through the context;
 * tests give any function of their own.
 */
export interface TimeBudget {
  /** Milliseconds left before the function is stopped. */
  remainingMs(): number;
  /** Time kept back at the end (the last writes, the answer, handing back what was not done). */
  readonly reserveMs: number;
  /**
   * The longest one unit of work may take (a vendor request run to its timeout): a unit is started
   * only when it can end before the reserve. @default 0
   */
  readonly requestMs: number;
}

/** What a Lambda context offers (and all a budget needs of it). */
export interface RemainingTime {
  getRemainingTimeInMillis(): number;
}

/**
 * A budget over a Lambda context. `capMs` bounds the run from now whatever the context says (an
 * API Gateway call has 30 s in all, cold start included, which the Lambda's remaining time does not show).
 */
export function timeBudget(context: RemainingTime, opts: { readonly reserveMs: number; readonly requestMs?: number; readonly capMs?: number }): TimeBudget {
  const cappedAt = opts.capMs === undefined ? Infinity : Date.now() + opts.capMs;
  return {
    remainingMs: () => Math.min(context.getRemainingTimeInMillis(), cappedAt - Date.now()),
    reserveMs: opts.reserveMs,
    requestMs: opts.requestMs ?? 0,
  };
}

/** True while there is time to start another unit of work of `unitMs` (the budget's request time). */
export function hasTime(budget: TimeBudget, unitMs = budget.requestMs): boolean {
  return budget.remainingMs() >= budget.reserveMs + unitMs;
}

/** Throws {@link TimeBudgetError} (a hand-back, not a failure) when {@link hasTime} is false. */
export function ensureTime(budget: TimeBudget, what: string, unitMs = budget.requestMs): void {
  if (!hasTime(budget, unitMs)) throw new TimeBudgetError(`Not enough time left for ${what}; handed back`);
}

/** Absolute deadline (epoch ms) for the work of this run: no vendor request or retry starts past it. */
export function deadlineOf(budget: TimeBudget, now = Date.now()): number {
  return now + Math.max(0, budget.remainingMs() - budget.reserveMs);
}
