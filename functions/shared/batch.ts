import middy from '@middy/core';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { TimeBudgetError } from './errors.ts';
import { logger, metrics } from './observability.ts';

/** Time kept back at the end of an invocation so unfinished records are handed back, not timed out. */
export const SAFETY_MARGIN_MS = 3_000;

/**
 * Wraps an SQS record handler as a Lambda with partial batch responses (ReportBatchItemFailures).
 * Records run one after another; once the invocation's time is nearly gone, the rest are reported
 * as failures without being started, so SQS redelivers them instead of the whole batch timing out.
 */
export function sqsHandler(
  recordHandler: (record: SQSRecord, context: Context) => Promise<void>,
  options: {
    /** Time kept back at the end of the invocation. @default SAFETY_MARGIN_MS */
    readonly safetyMs?: number;
  } = {},
) {
  const safetyMs = options.safetyMs ?? SAFETY_MARGIN_MS;
  return middy<SQSEvent, SQSBatchResponse>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics))
    .handler(async (event, context) => {
      const processor = new BatchProcessor(EventType.SQS);
      return processPartialResponse(
        event,
        async (record: SQSRecord) => {
          if (context.getRemainingTimeInMillis() < safetyMs) {
            throw new TimeBudgetError('Invocation nearly out of time; record handed back');
          }
          logger.appendKeys({ messageId: record.messageId });
          try {
            await recordHandler(record, context);
          } catch (err) {
            logger.error('Record failed; it will be retried', { error: err as Error });
            throw err;
          } finally {
            logger.removeKeys(['messageId']);
          }
        },
        processor,
        // A batch whose every record is handed back (back-off, time budget) is not a function error:
        // report the failures and let SQS redeliver, without tripping the errors alarm.
        { context, processInParallel: false, throwOnFullBatchFailure: false },
      );
    });
}
