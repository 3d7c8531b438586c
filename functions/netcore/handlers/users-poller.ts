import { dynamoCursorStore } from '#platform/cursor-store.ts';
import { netcoreClientFromEnv, type NetcoreClient } from '#netcore/adapters/client.ts';
import { dynamoNetcoreStore, sqsTranscriptJobQueue } from '#netcore/adapters/store.ts';
import { queueUrl, tableName } from '#platform/config.ts';
import { netcoreSettings, netcoreTables } from '#netcore/adapters/config.ts';
import { count, logger } from '#platform/observability.ts';
import { scheduledHandler } from '#platform/schedule.ts';
import { syncNetcoreUsers } from '#netcore/use-cases/sync-users.ts';

let api: NetcoreClient | undefined;

/**
 * Scheduled: lists Netcore users active since the cursor, stores them with their details, and queues
 * one transcripts job per user and channel.
 */
export const handler = scheduledHandler(async (_event, context) => {
  api ??= netcoreClientFromEnv();
  const s = netcoreSettings();
  const result = await syncNetcoreUsers({
    api,
    store: dynamoNetcoreStore(netcoreTables()),
    cursors: dynamoCursorStore(tableName('cursors')),
    jobs: sqsTranscriptJobQueue(queueUrl('netcore-transcripts')),
    settings: {
      channels: s.userChannels,
      limit: s.usersLimit,
      lookbackMs: s.usersLookbackMs,
      initialLookbackMs: s.usersInitialLookbackMs,
      fetchDetails: s.fetchUserDetails,
      concurrency: s.concurrency,
    },
    now: () => new Date(),
    budget: { remainingMs: () => context.getRemainingTimeInMillis(), reserveMs: s.reserveMs, requestMs: api.requestTimeoutMs },
  });
  count('NetcoreUsersStored', result.users);
  count('NetcoreTranscriptJobsQueued', result.jobs);
  if (result.rejected > 0) {
    count('NetcoreUsersRejected', result.rejected);
    logger.warn('Netcore users rows without a usable userId were skipped', { vendor: 'netcore', rejected: result.rejected, issues: result.rejectedIssues });
  }
  if (result.detailsFailed > 0) {
    count('NetcoreUserDetailsFailed', result.detailsFailed);
    for (const f of result.detailsFailures) logger.warn('Netcore user details refused; the user is stored without them', { vendor: 'netcore', ...f });
  }
  logger.info('Netcore users polled', { vendor: 'netcore', ...result, vendorRequests: api.stats.requests, logins: api.stats.logins });
  return result;
});
