import { netcoreClientFromEnv, type NetcoreClient } from '#netcore/adapters/client.ts';
import { dynamoNetcoreStore, type NetcoreStore } from '#netcore/adapters/store.ts';
import { netcoreSettings, netcoreTables } from '#netcore/adapters/config.ts';
import { count, logger } from '#platform/observability.ts';
import { scheduledHandler } from '#platform/schedule.ts';
import { syncNetcoreUsage } from '#netcore/use-cases/sync-usage.ts';

let deps: { api: NetcoreClient; store: NetcoreStore } | undefined;

/** Scheduled: refreshes Netcore usage for this month and last, per channel and in total. */
export const handler = scheduledHandler(async (_event, context) => {
  deps ??= { api: netcoreClientFromEnv(), store: dynamoNetcoreStore(netcoreTables()) };
  const settings = netcoreSettings();
  const result = await syncNetcoreUsage({
    api: deps.api,
    store: deps.store,
    channels: settings.usageChannels,
    now: () => new Date(),
    budget: { remainingMs: () => context.getRemainingTimeInMillis(), reserveMs: settings.reserveMs, requestMs: deps.api.requestTimeoutMs },
  });
  count('NetcoreUsageStored', result.stored);
  logger.info('Netcore usage refreshed', { vendor: 'netcore', ...result, vendorRequests: deps.api.stats.requests });
  return result;
});
