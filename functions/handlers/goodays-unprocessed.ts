import { goodaysSettings, threadStore } from '#adapters/goodays-wiring.ts';
import { scheduledHandler } from '#shared/schedule.ts';
import { MetricUnit, logger, metrics } from '#shared/observability.ts';
import { OLDEST_UNPROCESSED_METRIC, UNPROCESSED_METRIC, measureUnprocessed } from '#use-cases/goodays-unprocessed.ts';

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
