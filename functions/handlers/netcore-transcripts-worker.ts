import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { TranscriptJob } from '#domain/netcore/jobs.ts';
import { netcoreClientFromEnv, type NetcoreClient } from '#adapters/netcore-client.ts';
import { dynamoNetcoreStore, sqsTranscriptJobQueue } from '#adapters/netcore-store.ts';
import { queueUrl } from '#shared/config.ts';
import { netcoreSettings, netcoreTables } from '#shared/netcore-config.ts';
import { count, logger, metrics } from '#shared/observability.ts';
import { syncNetcoreTranscripts } from '#use-cases/netcore-sync-transcripts.ts';

let api: NetcoreClient | undefined;

/**
 * Queue consumer: one Netcore transcripts job per record (a user on a channel). Records it could not
 * finish or start are reported in `batchItemFailures` and come back; a job that ran short of time has
 * already queued its remaining pages and counts as done.
 */
export const handler = middy<SQSEvent, SQSBatchResponse>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .handler(async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    api ??= netcoreClientFromEnv();
    const s = netcoreSettings();
    const store = dynamoNetcoreStore(netcoreTables());
    const jobs = sqsTranscriptJobQueue(queueUrl('netcore-transcripts'));
    const budget = { remainingMs: () => context.getRemainingTimeInMillis(), reserveMs: s.reserveMs };
    const failures: SQSBatchResponse['batchItemFailures'] = [];
    for (const record of event.Records) {
      if (context.getRemainingTimeInMillis() <= s.reserveMs) {
        failures.push({ itemIdentifier: record.messageId });
        continue;
      }
      const job = TranscriptJob.safeParse(safeJson(record.body));
      if (!job.success) {
        // A body the poller did not write: fail it so that it ends in the DLQ for someone to look at.
        logger.error('Netcore transcripts job is not valid', { messageId: record.messageId, issues: job.error.issues });
        failures.push({ itemIdentifier: record.messageId });
        continue;
      }
      try {
        const result = await syncNetcoreTranscripts(job.data, {
          api,
          store,
          jobs,
          settings: { limit: s.transcriptsLimit, lookbackMs: s.transcriptsLookbackMs, windowMarginMs: s.windowMarginMs, concurrency: s.concurrency },
          now: () => new Date(),
          budget,
        });
        count('NetcoreMessagesStored', result.stored);
        count('NetcoreMessagesDuplicate', result.duplicates);
        if (result.unknownShapes > 0) count('NetcoreMessagesUnknownShape', result.unknownShapes);
        logger.info('Netcore transcripts job', { vendor: 'netcore', messageId: record.messageId, botUserId: job.data.botUserId, channelId: job.data.channelId, ...result });
      } catch (err) {
        logger.error('Netcore transcripts job failed; it will be retried', { messageId: record.messageId, botUserId: job.data.botUserId, error: err as Error });
        failures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures: failures };
  });

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
