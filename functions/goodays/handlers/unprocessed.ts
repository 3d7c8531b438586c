import { unprocessedConfig } from '#goodays/adapters/wiring.ts';
import { reportUnprocessed } from '#goodays/use-cases/unprocessed.ts';
import { scheduledHandler } from '#platform/schedule.ts';

/**
 * Scheduled: publishes how many Goodays responses still wait for customer service longer than
 * GOODAYS_UNPROCESSED_AFTER_MINUTES (Goodays' customers watch reply rate and processing time).
 */
export const handler = scheduledHandler(() => reportUnprocessed(unprocessedConfig()));
