import { count, logger } from '#platform/observability.ts';
import type { TimeBudget } from '#platform/time-budget.ts';
import { campaignClient, linker, uploadPorts } from '#rungopher/adapters/wiring.ts';
import { runUploadJob, type RunOutcome } from './upload-job.ts';

/** Longest one batch may take: its claims, and the vendor's 120 s upload timeout. */
const BATCH_MS = 150_000;

/** {@link runUploadJob} with the deployed adapters: the key from the `rungopher` secret, the uploads table and queue. */
export async function runUploadJobWithHub(jobId: string, budget: TimeBudget): Promise<RunOutcome> {
  const client = await campaignClient();
  const { store, queue } = uploadPorts();
  const outcome = await runUploadJob(jobId, budget, {
    store,
    upload: (id, request) => client.uploadContacts(id, request),
    requeue: async (id) => void (await queue.send({ jobId: id })),
    batchMs: BATCH_MS,
    link: linker,
  });
  if (outcome === 'done' || outcome === 'failed') count(outcome === 'done' ? 'RungopherUploadJobsDone' : 'RungopherUploadJobsFailed');
  logger.info('Rungopher upload job run', { jobId, outcome });
  return outcome;
}
