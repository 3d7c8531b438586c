import { goodaysSettings, threadStore } from '#goodays/adapters/wiring.ts';
import { scheduledHandler } from '#platform/schedule.ts';
import { MetricUnit, logger, metrics } from '#platform/observability.ts';
import { OLDEST_UNPROCESSED_METRIC, UNPROCESSED_METRIC, measureUnprocessed } from '#goodays/use-cases/unprocessed.ts';

/**
 * Scheduled: publishes how many Goodays responses still wait for customer service longer than
 * GOODAYS_UNPROCESSED_AFTER_MINUTES (Goodays' customers watch reply rate and processing time).
 */
export const handler = scheduledHandler(async () => {
  const { unprocessedAfterMinutes } = goodaysSettings();
  const { count, oldestMinutes } = await measureUnprocessed({ threads: threadStore(), afterMinutes: unprocessedAfterMinutes });
  metrics.addMetric(UNPROCESSED_METRIC, MetricUnit.Count, count);
  metrics.addMetric(OLDEST_UNPROCESSED_METRIC, MetricUnit.Count, oldestMinutes);
  logger.info('Goodays unprocessed responses', { count, oldestMinutes, afterMinutes: unprocessedAfterMinutes });
  return { count, oldestMinutes };
});
