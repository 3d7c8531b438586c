import { dynamoCursorStore } from '#adapters/cursor-store.ts';
import { netcoreClientFromEnv, type NetcoreClient } from '#adapters/netcore-client.ts';
import { dynamoNetcoreStore, sqsTranscriptJobQueue } from '#adapters/netcore-store.ts';
import { queueUrl, tableName } from '#shared/config.ts';
import { netcoreSettings, netcoreTables } from '#shared/netcore-config.ts';
import { count, logger } from '#shared/observability.ts';
import { scheduledHandler } from '#shared/schedule.ts';
import { syncNetcoreUsers } from '#use-cases/netcore-sync-users.ts';

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
