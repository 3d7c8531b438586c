import { netcoreSetting } from '#netcore/adapters/config.ts';
import { transcriptsWorkerDeps } from '#netcore/adapters/wiring.ts';
import { TranscriptJobMessage } from '#netcore/domain/jobs.ts';
import { runTranscriptsJob } from '#netcore/use-cases/sync-transcripts.ts';
import { count, logger } from '#platform/observability.ts';
import { queueConsumer } from '#platform/queue-consumer.ts';

/** Queue consumer: one Netcore transcripts job per record; what is acknowledged and what fails: {@link runTranscriptsJob}. */
export const handler = queueConsumer({
  vendor: 'netcore', queue: 'netcore-transcripts', message: TranscriptJobMessage, foreign: 'Not a transcripts job', quarantinedMetric: 'NetcoreTranscriptJobsQuarantined',
  reserveMs: netcoreSetting.reserveMs.read(),
  process: async (job, _record, budget) => {
    const out = await runTranscriptsJob(job, transcriptsWorkerDeps(budget));
    const where = { vendor: 'netcore', channelId: job.channelId };
    if (out.refused) {
      count('NetcoreTranscriptJobsRefused');
      return logger.error('Netcore refused a transcripts job; not retried (4xx)', { ...where, status: out.status, vendorMessages: out.vendorMessages });
    }
    count('NetcoreMessagesStored', out.result.stored);
    count('NetcoreMessagesDuplicate', out.result.duplicates);
    if (out.result.unknownShapes > 0) count('NetcoreMessagesUnknownShape', out.result.unknownShapes);
    if (out.result.quarantined > 0) count('NetcoreMessagesQuarantined', out.result.quarantined);
    logger.info('Netcore transcripts job', { ...where, ...out.result });
  },
});
