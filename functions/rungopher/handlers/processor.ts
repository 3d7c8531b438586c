import { EnvelopeMessage } from '#platform/envelope.ts';
import { count, logger } from '#platform/observability.ts';
import { queueConsumer } from '#platform/queue-consumer.ts';
import { processorPorts } from '#rungopher/adapters/store-wiring.ts';
import { processRungopherMessage } from '#rungopher/use-cases/process-message.ts';

const COUNTERS = { stored: 'ResultsStored', duplicate: 'ResultsDuplicate', quarantined: 'ResultsQuarantined' } as const;

/** Stores queued Rungopher results once each; see {@link processRungopherMessage}. */
export const handler = queueConsumer({
  vendor: 'rungopher',
  queue: 'rungopher-results',
  message: EnvelopeMessage,
  foreign: 'queue message is not a hub envelope',
  quarantinedMetric: COUNTERS.quarantined,
  // Storage is idempotent and the view order-independent, so a batch's records go at once.
  parallel: true,
  process: async (envelope, record) => {
    const outcome = await processRungopherMessage(processorPorts(), envelope);
    // A body quarantined before (an SQS redelivery) is not counted again: the alarm is per body.
    if (outcome.status !== 'quarantined' || outcome.created) count(COUNTERS[outcome.status]);
    if (outcome.status === 'quarantined') logger.warn('Queued message quarantined', { quarantineId: outcome.quarantineId, reason: outcome.reason, messageId: record.messageId });
    else logger.info(`Result ${outcome.status}`, { resultId: outcome.resultId, requestId: outcome.requestId, messageId: record.messageId });
  },
});
