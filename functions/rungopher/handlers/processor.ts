import { dynamoContactTable, dynamoResultTable } from '#rungopher/adapters/store.ts';
import { dynamoQuarantine } from '#platform/quarantine.ts';
import { processRungopherMessage } from '#rungopher/use-cases/process-message.ts';
import { sqsHandler } from '#platform/queue-consumer.ts';
import { tableName } from '#platform/config.ts';
import { count, logger } from '#platform/observability.ts';

const ports = {
  results: dynamoResultTable(tableName('rungopher-results')),
  contacts: dynamoContactTable(tableName('rungopher-contacts')),
  quarantine: dynamoQuarantine(tableName('quarantine')),
};

const COUNTERS = { stored: 'ResultsStored', duplicate: 'ResultsDuplicate', quarantined: 'ResultsQuarantined' } as const;

/** Stores queued Rungopher results; see {@link processRungopherMessage}. */
export const handler = sqsHandler(async (record) => {
  const sent = Number(record.attributes.SentTimestamp);
  const outcome = await processRungopherMessage(ports, record.body, new Date(Number.isFinite(sent) ? sent : Date.now()).toISOString());
  // A body quarantined before (an SQS redelivery) is not counted again: the alarm is per body.
  if (outcome.status !== 'quarantined' || outcome.created) count(COUNTERS[outcome.status]);
  if (outcome.status === 'quarantined') logger.warn('Queued message quarantined', { quarantineId: outcome.quarantineId, reason: outcome.reason });
  else logger.info(`Result ${outcome.status}`, { resultId: outcome.resultId, requestId: outcome.requestId });
});
