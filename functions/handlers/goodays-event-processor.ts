import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { parseEnvelope } from '#domain/envelope.ts';
import { eventStore, quarantineStore, threadStore } from '#adapters/goodays-wiring.ts';
import { count, logger, metrics } from '#shared/observability.ts';
import { processGoodaysEvent } from '#use-cases/goodays-threads.ts';

/** Time kept back at the end of an invocation: records not started by then go back to the queue. */
const SAFETY_MS = 5_000;

/** Stores queued Goodays events once and refolds their threads; partial batch response. */
export const handler = middy<SQSEvent, SQSBatchResponse>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .handler(async (event: SQSEvent, context: Context) => {
    const failures: { itemIdentifier: string }[] = [];
    for (const record of event.Records) {
      if (context.getRemainingTimeInMillis() < SAFETY_MS) {
        failures.push({ itemIdentifier: record.messageId });
        continue;
      }
      try {
        const envelope = parseEnvelope(record.body);
        if (!envelope) {
          // Only the webhook writes this queue; a foreign message is kept in quarantine, not retried.
          await quarantineStore().put({
            vendor: 'goodays',
            reason: 'queue message is not a webhook envelope',
            body: record.body,
            receivedAt: new Date().toISOString(),
            requestId: record.messageId,
            stage: 'processor',
          });
          count('GoodaysEventQuarantined');
          continue;
        }
        const outcome = await processGoodaysEvent(envelope, { events: eventStore(), threads: threadStore(), quarantine: quarantineStore() });
        if (outcome.result === 'quarantined') {
          count('GoodaysEventQuarantined');
          logger.warn('Goodays event quarantined', { messageId: record.messageId, requestId: envelope.requestId, reason: outcome.reason });
        } else {
          count(outcome.result === 'duplicate' ? 'GoodaysEventDuplicate' : 'GoodaysEventStored');
          logger.info('Goodays event processed', { messageId: record.messageId, requestId: envelope.requestId, responseId: outcome.responseId, key: outcome.key, result: outcome.result });
        }
      } catch (err) {
        logger.error('Goodays event failed; handed back to the queue', { messageId: record.messageId, error: err as Error });
        failures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures: failures };
  });
