import { netcoreClient, usagePollerDeps } from '#netcore/adapters/wiring.ts';
import { syncNetcoreUsage } from '#netcore/use-cases/sync-usage.ts';
import { count, logger } from '#platform/observability.ts';
import { scheduledHandler } from '#platform/schedule.ts';

/** Scheduled: refreshes Netcore usage for this month and last, per channel and in total. */
export const handler = scheduledHandler(async (_event, context) => {
  const result = await syncNetcoreUsage(usagePollerDeps(context));
  count('NetcoreUsageStored', result.stored);
  logger.info('Netcore usage refreshed', { vendor: 'netcore', ...result, vendorRequests: netcoreClient().stats.requests });
  return result;
});
