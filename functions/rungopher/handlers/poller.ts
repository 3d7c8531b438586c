import { count } from '#platform/observability.ts';
import { scheduledHandler } from '#platform/schedule.ts';
import { pollerRun } from '#rungopher/use-cases/poll-run.ts';

/**
 * Scheduled Rungopher results poller (EventBridge, every 5 minutes by default): polls the 12 result
 * endpoints once (settings in `pollerConfig`, adapters/wiring.ts); fails the invocation, for the errors
 * alarm, on vendor 4xx or storage errors.
 */
export const handler = scheduledHandler((_event, context) => pollerRun(context, count));
