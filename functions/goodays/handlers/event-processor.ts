import type { SQSRecord } from 'aws-lambda';
import { parseEnvelope } from '#platform/envelope.ts';
import { eventStore, quarantineStore, threadStore } from '#goodays/adapters/wiring.ts';
import { sqsHandler } from '#platform/queue-consumer.ts';
import { count, logger } from '#platform/observability.ts';
import { processGoodaysEvent } from '#goodays/use-cases/threads.ts';

/** Time kept back at the end of an invocation: records not started by then go back to the queue. */
const SAFETY_MS = 5_000;

/** Stores queued Goodays events once and refolds their threads; partial batch response. */
export const handler = sqsHandler(
  async (record: SQSRecord) => {
    const envelope = parseEnvelope(record.body);
    if (!envelope) {
      // Only the webhook writes this queue; a foreign message is kept in quarantine, not retried.
      const { created } = await quarantineStore().put({
        vendor: 'goodays',
        reason: 'queue message is not a webhook envelope',
        body: record.body,
        receivedAt: new Date().toISOString(),
        requestId: record.messageId,
        stage: 'processor',
      });
      // Counted once per distinct body: a redelivery of one already kept is not news.
      if (created) count('GoodaysEventQuarantined');
      return;
    }
    const outcome = await processGoodaysEvent(envelope, { events: eventStore(), threads: threadStore(), quarantine: quarantineStore() });
    if (outcome.result === 'quarantined') {
      if (outcome.created) count('GoodaysEventQuarantined');
      logger.warn('Goodays event quarantined', { requestId: envelope.requestId, reason: outcome.reason, created: outcome.created });
    } else {
      count(outcome.result === 'duplicate' ? 'GoodaysEventDuplicate' : 'GoodaysEventStored');
      logger.info('Goodays event processed', { requestId: envelope.requestId, responseId: outcome.responseId, key: outcome.key, result: outcome.result });
    }
  },
  { safetyMs: SAFETY_MS },
);
