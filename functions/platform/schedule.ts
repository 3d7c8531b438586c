import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { logger, metrics } from './observability.ts';
import { figuresOf, recordScheduleRun } from './runs.ts';

/**
 * Wraps a scheduled (EventBridge) function: Lambda context in every log line, metrics flushed after
 * each run. What the run returns is its outcome (logged by the local runtime, shown by
 * `POST /_local/schedules/{name}`); a thrown error fails the invocation, which the errors alarm sees.
 * Each run, its outcome and its figures are recorded in the `runs` table for `GET /status`.
 */
export function scheduledHandler<T>(run: (event: ScheduledEvent | undefined, context: Context) => Promise<T>) {
  return middy<ScheduledEvent | undefined, T>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics))
    .handler(async (event, context) => {
      const table = process.env.TABLE_RUNS;
      // On AWS the function's topology name is its service name; locally (one process) the invocation's name.
      const fn = process.env.AWS_LAMBDA_FUNCTION_NAME ? (process.env.POWERTOOLS_SERVICE_NAME ?? context.functionName) : context.functionName;
      const started = Date.now();
      const lastRunAt = new Date(started).toISOString();
      try {
        const result = await run(event, context);
        const figures = figuresOf(result);
        if (table) await recordScheduleRun(table, fn, { lastRunAt, outcome: 'ok', durationMs: Date.now() - started, ...(figures ? { figures } : {}) });
        return result;
      } catch (err) {
        if (table) await recordScheduleRun(table, fn, { lastRunAt, outcome: 'failed', durationMs: Date.now() - started, error: `${(err as Error).name}: ${(err as Error).message}`.slice(0, 500) });
        throw err;
      }
    });
}
