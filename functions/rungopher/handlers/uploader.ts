import { queueConsumer } from '#platform/queue-consumer.ts';
import { UploadJobMessage } from '#rungopher/domain/upload-job.ts';
import { runUploadJobWithHub } from '#rungopher/use-cases/upload-run.ts';
import { JsonString } from '#platform/json.ts';

/**
 * Runs contact upload jobs (queue `rungopher-uploads`, one job a time): claims each batch's contacts
 * in the uploads table, sends the batch to Rungopher, records its outcome; continues itself in a new
 * message when short of time. A message that is not a job is quarantined by the kit.
 */
export const handler = queueConsumer({
  vendor: 'rungopher',
  queue: 'rungopher-uploads',
  message: JsonString(UploadJobMessage),
  foreign: 'queue message is not a Rungopher upload job',
  quarantinedMetric: 'RungopherUploadMessageQuarantined',
  reserveMs: 5_000,
  process: async (message, _record, budget) => void (await runUploadJobWithHub(message.jobId, budget)),
});
