import middy from '@middy/core';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { tableName } from './config.ts';
import { isTransientAwsError } from './aws.ts';
import { HandBackError } from './errors.ts';
import { count, logger, metrics } from './observability.ts';
import type { Quarantine } from './quarantine.ts';
import { hubQuarantine, parseQuarantineNotice, publishQuarantineNotice } from './quarantine-events.ts';
import { ensureTime, hasTime, timeBudget, type TimeBudget } from './time-budget.ts';
import * as z from './zod.ts';
import { backoffDelay } from './vendor-http.ts';
import { limiter } from './concurrency.ts';
import { issueLines } from './validation.ts';

/** Time kept back at the end of an invocation so unfinished records are handed back, not timed out. */
export const SAFETY_MARGIN_MS = 3_000;

/**
 * A record whose AWS call failed transiently (DynamoDB or SQS unreachable, throttled, a 5xx: see
 * {@link isTransientAwsError}) is tried again in the same invocation, backing off with full jitter
 * (0.2 s doubling to 2 s), while the time budget allows. Failed instead, it would wait out the queue's
 * visibility timeout (six times the function's timeout) before its next try, so a few seconds of
 * DynamoDB trouble held every record it touched for minutes. Retrying is safe: every record handler is
 * idempotent (SQS delivers at least once anyway).
 */
export const TRANSIENT_RETRY = { baseMs: 200, capMs: 2_000 } as const;

/**
 * Wraps an SQS record handler as a Lambda with partial batch responses (ReportBatchItemFailures).
 * Records run one after another (or concurrently with `parallel`: all at once, or at most that many
 * at a time); once the invocation's time is nearly gone, records not started are reported as
 * failures, so SQS redelivers them instead of the whole batch timing out. A record waiting for a slot
 * checks the time when it gets one, so what the budget does not reach is handed back untouched.
 * A record handler throws {@link HandBackError} to hand a record back on purpose (not counted as a
 * failure); any other error is counted (`RecordsFailed`) and, when the whole batch fails, raised.
 */
export function sqsHandler(
  recordHandler: (record: SQSRecord, context: Context) => Promise<void>,
  options: {
    /** Time kept back at the end of the invocation. @default SAFETY_MARGIN_MS */
    readonly safetyMs?: number;
    /**
     * Process a batch's records concurrently. Only for handlers whose outcome does not depend on the
     * order of records (idempotent, order-independent writes). The message id is then a field of the
     * kit's own log lines rather than a key of every line (keys are shared by concurrent records).
     * `true` runs every record at once; a number runs at most that many at a time (the others wait
     * for a slot, then for the time budget, in order).
     * @default false
     */
    readonly parallel?: boolean | number;
  } = {},
) {
  const safetyMs = options.safetyMs ?? SAFETY_MARGIN_MS;
  const parallel = options.parallel !== undefined && options.parallel !== false;
  const gate = typeof options.parallel === 'number' ? limiter(options.parallel) : undefined;
  return middy<SQSEvent, SQSBatchResponse>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics))
    .handler(async (event, context) => {
      const processor = new BatchProcessor(EventType.SQS);
      const unexpected: unknown[] = [];
      const one = async (record: SQSRecord): Promise<void> => {
        // One budget for the whole kit: a record not started before the reserve goes back to SQS.
        ensureTime(timeBudget(context, { reserveMs: safetyMs }), 'this record', 0);
        if (!parallel) logger.appendKeys({ messageId: record.messageId });
        try {
          for (let attempt = 1; ; attempt++) {
            try {
              await recordHandler(record, context);
              break;
            } catch (err) {
              const wait = backoffDelay(attempt, TRANSIENT_RETRY.baseMs, TRANSIENT_RETRY.capMs);
              if (!isTransientAwsError(err) || !hasTime(timeBudget(context, { reserveMs: safetyMs }), wait + TRANSIENT_RETRY.capMs)) throw err;
              logger.warn('Record met a transient AWS error; trying again', { attempt, error: err as Error });
              await new Promise((r) => setTimeout(r, wait));
            }
          }
        } catch (err) {
          if (err instanceof HandBackError) {
            logger.info('Record handed back for a later delivery', { reason: err.message, messageId: record.messageId });
          } else {
            unexpected.push(err);
            logger.error('Record failed; it will be retried', { error: err as Error, messageId: record.messageId });
          }
          throw err;
        } finally {
          if (!parallel) logger.removeKeys(['messageId']);
        }
      };
      const response = await processPartialResponse(
        event,
        async (record: SQSRecord) => (gate ? gate(() => one(record)) : one(record)),
        processor,
        { context, processInParallel: parallel, throwOnFullBatchFailure: false },
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

/** What a vendor supplies to {@link queueConsumer}; the kit owns the order. */
export interface QueueConsumerSpec<M> {
  readonly vendor: string;
  /** The declared queue it consumes: a foreign record quarantined here is retried on it, as it came. */
  readonly queue?: string;
  /** The queue's message: a schema (classic zod or zod/mini) over the record body (e.g. `JsonString(QueueEnvelope)`). */
  readonly message: z.core.$ZodType<M>;
  /** What a record that is not such a message is called in its quarantine reason. */
  readonly foreign: string;
  /** Counted once per distinct foreign body (a redelivery of one already kept is not news). */
  readonly quarantinedMetric: string;
  /** Time kept back at the end of the invocation. @default SAFETY_MARGIN_MS */
  readonly reserveMs?: number;
  /** Process a batch's records concurrently, all at once or at most this many (see {@link sqsHandler}). @default false */
  readonly parallel?: boolean | number;
  /**
   * Handles one message: calls the use case and maps its outcome to metrics and logs. Throws to hand
   * the record back ({@link HandBackError}) or to fail it (anything else).
   */
  readonly process: (message: M, record: SQSRecord, budget: TimeBudget) => Promise<void>;
}

/**
 * A queue consumer: partial batch responses, the time budget and hand-backs ({@link sqsHandler}), and
 * before the vendor's code sees a record, its envelope read by schema. A record that is not one of this
 * queue's messages is quarantined (stage `processor`) and acknowledged: no retry can make it readable;
 * unless it is the notice of a webhook's quarantine, whose `hub.quarantined` event is published.
 */
export function queueConsumer<M>(spec: QueueConsumerSpec<M>) {
  const reserveMs = spec.reserveMs ?? SAFETY_MARGIN_MS;
  // Made at the first foreign record only: a consumer that never meets one needs no quarantine table.
  let quarantine: Quarantine | undefined;
  return sqsHandler(
    async (record, context) => {
      const parsed = z.safeParse(spec.message, record.body);
      if (parsed.success) return spec.process(parsed.data, record, timeBudget(context, { reserveMs }));
      // A webhook's quarantine, announced here: the webhook sends the notice on its queue, since it
      // has no EventBridge client (`webhook.ts`). Published like the consumer's own, so it fails
      // (retried, then kept in the DLQ) rather than being lost.
      const notice = parseQuarantineNotice(record.body, spec.vendor);
      if (notice) {
        await publishQuarantineNotice(notice);
        logger.info('Quarantine announced', { vendor: notice.vendor, stage: notice.stage, quarantineId: notice.quarantineId, messageId: record.messageId });
        return;
      }
      quarantine ??= hubQuarantine(tableName('quarantine'));
      const sent = Number(record.attributes?.SentTimestamp);
      const reason = `${spec.foreign}: ${issueLines(parsed.error).join('; ')}`;
      const kept = await quarantine.put({
        vendor: spec.vendor,
        reason,
        body: record.body,
        requestId: record.messageId,
        receivedAt: new Date(Number.isFinite(sent) ? sent : Date.now()).toISOString(),
        stage: 'processor',
        ...(spec.queue ? { retry: { queue: spec.queue, as: 'message' as const } } : {}),
      });
      if (kept.created) count(spec.quarantinedMetric);
      logger.warn('Queue record is not a message of this queue; quarantined', { vendor: spec.vendor, quarantineId: kept.id, created: kept.created, messageId: record.messageId });
    },
    { safetyMs: reserveMs, parallel: spec.parallel ?? false },
  );
}
