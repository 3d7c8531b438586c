import { netcoreClient, usersPollerDeps } from '#netcore/adapters/wiring.ts';
import { syncNetcoreUsers, usersPollLog } from '#netcore/use-cases/sync-users.ts';
import { count, logger } from '#platform/observability.ts';
import { scheduledHandler } from '#platform/schedule.ts';

/**
 * Scheduled: lists Netcore users active since the cursor, stores them with their details, and queues
 * one transcripts job per user and channel.
 */
export const handler = scheduledHandler(async (_event, context) => {
  const result = await syncNetcoreUsers(usersPollerDeps(context));
  const log = usersPollLog(result);
  count('NetcoreUsersStored', result.users);
  count('NetcoreTranscriptJobsQueued', result.jobs);
  if (result.rejected > 0) count('NetcoreUsersRejected', result.rejected);
  if (result.rejected > 0) logger.warn('Netcore users rows without a usable userId were skipped', { vendor: 'netcore', rejected: result.rejected, issues: result.rejectedIssues });
  if (result.detailsFailed > 0) count('NetcoreUserDetailsFailed', result.detailsFailed);
  for (const f of log.detailsFailures) logger.warn('Netcore user details refused; the user is stored without them', { vendor: 'netcore', ...f });
  const api = netcoreClient();
  logger.info('Netcore users polled', { vendor: 'netcore', ...log, vendorRequests: api.stats.requests, logins: api.stats.logins });
  return result;
});
