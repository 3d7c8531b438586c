import type { SQSRecord } from 'aws-lambda';
import * as z from 'zod';
import { TranscriptJobMessage } from '#netcore/domain/jobs.ts';
import { NetcoreLoginError, netcoreClientFromEnv, type NetcoreClient } from '#netcore/adapters/client.ts';
import { dynamoNetcoreStore, sqsTranscriptJobQueue } from '#netcore/adapters/store.ts';
import { dynamoQuarantine, type Quarantine } from '#platform/quarantine.ts';
import { sqsHandler } from '#platform/queue-consumer.ts';
import { queueUrl, tableName } from '#platform/config.ts';
import { VendorError } from '#platform/errors.ts';
import { netcoreSettings, netcoreTables } from '#netcore/adapters/config.ts';
import { count, logger } from '#platform/observability.ts';
import { syncNetcoreTranscripts } from '#netcore/use-cases/sync-transcripts.ts';

let api: NetcoreClient | undefined;
// Made at the first malformed job only: a worker whose topology entry lacks the quarantine table
// still runs every well-formed job.
let quarantine: Quarantine | undefined;

/**
 * Queue consumer: one Netcore transcripts job per record (a user on a channel), through the shared
 * partial-batch wrapper (records it has no time to start are handed back; a job that ran short of
 * time has already queued the rest of its window and counts as done).
 * - A body that is not a transcripts job is quarantined (vendor `netcore`, stage `processor`,
 *   metric `NetcoreTranscriptJobsQuarantined`) and acknowledged: retrying cannot make it readable.
 * - A vendor refusal of this job (400, 403, 404, 422) is counted (`NetcoreTranscriptJobsRefused`),
 *   logged and acknowledged: asking again gets the same answer. The user's watermark has not moved,
 *   so the next job for this user (its next activity) reads the same messages again.
 * - Anything else fails the record: SQS redelivers it, and after its last receive it goes to the DLQ,
 *   from which it can be redriven. That includes 429/5xx/timeouts after their retries, DynamoDB and
 *   SQS errors, a 401 after a fresh login or a refused login (credentials wrong for every job), and a
 *   body the client cannot read (a vendor format change).
 */
export const handler = sqsHandler(
  async (record, context) => {
    const s = netcoreSettings();
    const parsed = TranscriptJobMessage.safeParse(record.body);
    if (!parsed.success) {
      await quarantineJob(record, z.prettifyError(parsed.error));
      return;
    }
    const job = parsed.data;
    api ??= netcoreClientFromEnv();
    try {
      const result = await syncNetcoreTranscripts(job, {
        api,
        store: dynamoNetcoreStore(netcoreTables()),
        jobs: sqsTranscriptJobQueue(queueUrl('netcore-transcripts')),
        settings: { limit: s.transcriptsLimit, lookbackMs: s.transcriptsLookbackMs, windowMarginMs: s.windowMarginMs, concurrency: s.concurrency },
        now: () => new Date(),
        budget: { remainingMs: () => context.getRemainingTimeInMillis(), reserveMs: s.reserveMs, requestMs: api.requestTimeoutMs },
      });
      count('NetcoreMessagesStored', result.stored);
      count('NetcoreMessagesDuplicate', result.duplicates);
      if (result.unknownShapes > 0) count('NetcoreMessagesUnknownShape', result.unknownShapes);
      logger.info('Netcore transcripts job', { vendor: 'netcore', botUserId: job.botUserId, channelId: job.channelId, ...result });
    } catch (err) {
      if (!isJobRefusal(err)) throw err;
      count('NetcoreTranscriptJobsRefused');
      logger.error('Netcore refused a transcripts job; not retried (4xx)', {
        vendor: 'netcore',
        botUserId: job.botUserId,
        channelId: job.channelId,
        status: err.status,
        vendorMessages: err.vendorMessages,
        error: err,
      });
    }
  },
  { safetyMs: netcoreSettings().reserveMs },
);

/** Vendor answers that refuse this one job; asking again would get the same answer. */
const JOB_REFUSALS: ReadonlySet<number> = new Set([400, 403, 404, 422]);

/**
 * A refusal about this job only. Not a 401 (the client has already logged in again once: the
 * credentials are wrong for every job), not a refused login, not a body the client cannot read (a
 * vendor format change): those fail the record, so it is retried and ends in the DLQ for a redrive.
 */
function isJobRefusal(err: unknown): err is VendorError {
  return err instanceof VendorError && !(err instanceof NetcoreLoginError) && err.status !== undefined && JOB_REFUSALS.has(err.status) && !err.retryable;
}

async function quarantineJob(record: SQSRecord, reason: string): Promise<void> {
  quarantine ??= dynamoQuarantine(tableName('quarantine'));
  const sent = Number(record.attributes?.SentTimestamp);
  const kept = await quarantine.put({
    vendor: 'netcore',
    reason: `Not a transcripts job: ${reason}`,
    body: record.body,
    requestId: record.messageId,
    receivedAt: new Date(Number.isFinite(sent) ? sent : Date.now()).toISOString(),
    stage: 'processor',
  });
  if (kept.created) count('NetcoreTranscriptJobsQuarantined');
  logger.warn('Netcore transcripts job is not valid; quarantined', { vendor: 'netcore', quarantineId: kept.id, reason });
}
