import middy from '@middy/core';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { HandBackError, TimeBudgetError } from './errors.ts';
import { count, logger, metrics } from './observability.ts';

/** Time kept back at the end of an invocation so unfinished records are handed back, not timed out. */
export const SAFETY_MARGIN_MS = 3_000;

/**
 * Wraps an SQS record handler as a Lambda with partial batch responses (ReportBatchItemFailures).
 * Records run one after another; once the invocation's time is nearly gone, the rest are reported
 * as failures without being started, so SQS redelivers them instead of the whole batch timing out.
 * A record handler throws {@link HandBackError} to hand a record back on purpose (not counted as a
 * failure); any other error is counted (`RecordsFailed`) and, when the whole batch fails, raised.
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
      const unexpected: unknown[] = [];
      const response = await processPartialResponse(
        event,
        async (record: SQSRecord) => {
          if (context.getRemainingTimeInMillis() < safetyMs) {
            throw new TimeBudgetError('Invocation nearly out of time; record handed back');
          }
          logger.appendKeys({ messageId: record.messageId });
          try {
            await recordHandler(record, context);
          } catch (err) {
            if (err instanceof HandBackError) {
              logger.info('Record handed back for a later delivery', { reason: err.message });
            } else {
              unexpected.push(err);
              logger.error('Record failed; it will be retried', { error: err as Error });
            }
            throw err;
          } finally {
            logger.removeKeys(['messageId']);
          }
        },
        processor,
        { context, processInParallel: false, throwOnFullBatchFailure: false },
      );
      if (unexpected.length) count('RecordsFailed', unexpected.length);
      // Hand-backs (a back-off, the time budget) are not errors. A batch in which every record failed
      // and some for a real reason (IAM, a missing setting, DynamoDB down, a bug) is: throwing makes
      // it a Lambda error, so the function-errors alarm sees a consumer that fails everything.
      if (unexpected.length && response.batchItemFailures.length === event.Records.length) {
        throw new Error(`All ${event.Records.length} record(s) failed; first error: ${errorMessage(unexpected[0])}`, { cause: unexpected[0] });
      }
      return response;
    });
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
