import { MetricUnit, logger, metrics } from '#platform/observability.ts';
import type { ThreadStore } from './ports.ts';

/** Metric: responses waiting for customer service longer than GOODAYS_UNPROCESSED_AFTER_MINUTES. */
export const UNPROCESSED_METRIC = 'GoodaysUnprocessedResponses';
/** Metric: age in minutes of the oldest such response (0 when there is none). */
export const OLDEST_UNPROCESSED_METRIC = 'GoodaysOldestUnprocessedMinutes';

/**
 * Counts responses that wait for customer service (Goodays offers an action on the latest event and
 * nothing was handled since) and whose latest event arrived more than `afterMinutes` ago.
 */
export async function measureUnprocessed(deps: { threads: ThreadStore; afterMinutes: number; now?: () => Date }): Promise<{ count: number; oldestMinutes: number }> {
  const now = deps.now?.() ?? new Date();
  const before = new Date(now.getTime() - deps.afterMinutes * 60_000).toISOString();
  const { count, oldest } = await deps.threads.awaitingBefore(before);
  const oldestMinutes = oldest ? Math.floor((now.getTime() - Date.parse(oldest)) / 60_000) : 0;
  return { count, oldestMinutes };
}

/** The scheduled run: {@link measureUnprocessed}, published as the two metrics and logged. */
export async function reportUnprocessed(deps: { threads: ThreadStore; afterMinutes: number; now?: () => Date }): Promise<{ count: number; oldestMinutes: number }> {
  const { count, oldestMinutes } = await measureUnprocessed(deps);
  metrics.addMetric(UNPROCESSED_METRIC, MetricUnit.Count, count);
  metrics.addMetric(OLDEST_UNPROCESSED_METRIC, MetricUnit.Count, oldestMinutes);
  logger.info('Goodays unprocessed responses', { count, oldestMinutes, afterMinutes: deps.afterMinutes });
  return { count, oldestMinutes };
}
