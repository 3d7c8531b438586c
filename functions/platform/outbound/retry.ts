/**
 * The delivery back-off. Retries run through SQS: a failed delivery sets its message's visibility to
 * the delay and hands it back, so the queue holds the timer and its redelivery is the retry (no
 * scheduler, no second retry engine; a crash of the delivery function loses nothing).
 */

/** SQS's longest visibility timeout. */
export const MAX_VISIBILITY_SECONDS = 12 * 3600;

export interface RetryPolicy {
  /** Delay after the first failure. */
  readonly baseSeconds: number;
  /** Longest delay of one step. */
  readonly capSeconds: number;
}

/** The step's ceiling: base doubling per receive, capped. */
function ceilingSeconds(receiveCount: number, policy: RetryPolicy): number {
  return Math.min(policy.capSeconds, policy.baseSeconds * 2 ** Math.max(0, receiveCount - 1));
}

/**
 * Seconds before the next attempt after the `receiveCount`-th failed: exponential with equal jitter
 * (half the step fixed, half random), so attempts of many events spread out while the schedule keeps
 * a known floor; never less than the subscriber's Retry-After, never more than SQS allows.
 */
export function retryDelaySeconds(receiveCount: number, policy: RetryPolicy, retryAfterSeconds?: number, random = Math.random): number {
  const ceiling = ceilingSeconds(receiveCount, policy);
  const jittered = ceiling / 2 + random() * (ceiling / 2);
  return Math.min(MAX_VISIBILITY_SECONDS, Math.ceil(Math.max(jittered, retryAfterSeconds ?? 0)));
}

/** The least time an event is retried over `maxReceives` receives (every jitter at its lowest). */
export function minimumRetryWindowSeconds(maxReceives: number, policy: RetryPolicy): number {
  let total = 0;
  for (let n = 1; n < maxReceives; n++) total += Math.ceil(ceilingSeconds(n, policy) / 2);
  return total;
}
