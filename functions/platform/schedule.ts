import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { logger, metrics } from './observability.ts';

/**
 * Wraps a scheduled (EventBridge) function: Lambda context in every log line, metrics flushed after
 * each run. What the run returns is its outcome (logged by the local runtime, shown by
 * `POST /_local/schedules/{name}`); a thrown error fails the invocation, which the errors alarm sees.
 */
export function scheduledHandler<T>(run: (event: ScheduledEvent | undefined, context: Context) => Promise<T>) {
  return middy<ScheduledEvent | undefined, T>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics))
    .handler(run);
}
