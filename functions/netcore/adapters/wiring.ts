import { eventPublisher } from '#platform/outbound/publisher.ts';
import { dynamoCursorStore } from '#platform/cursor-store.ts';
import { hubQuarantine } from '#platform/quarantine-events.ts';
import { customerLinker, type CustomerLinker } from '#platform/customer-index.ts';
import { timeBudget, type RemainingTime, type TimeBudget } from '#platform/time-budget.ts';
import type { UsageSyncDeps } from '#netcore/use-cases/sync-usage.ts';
import type { UsersSyncDeps } from '#netcore/use-cases/sync-users.ts';
import type { TranscriptsSyncDeps } from '#netcore/use-cases/sync-transcripts.ts';
import { netcoreClientFromEnv, type NetcoreClient } from './client.ts';
import { apiConfig, transcriptsWorkerConfig, usagePollerConfig, usersPollerConfig } from './config.ts';
import { dynamoNetcoreReader, dynamoNetcoreStore, sqsTranscriptJobQueue, type NetcoreReader } from './store.ts';

/**
 * The Netcore functions' ports, made from each function's own configuration: what a handler hands to
 * its use case. Clients live for the process (the Netcore token cache and the SDK connections outlive
 * an invocation); a time budget is per run.
 */

let client: NetcoreClient | undefined;
/** The process's Netcore client, made on first use. */
export const netcoreClient = (): NetcoreClient => (client ??= netcoreClientFromEnv());

const now = (): Date => new Date();

let link: CustomerLinker | undefined;
/** The process's customer index linker, made on first use. */
const linker = (table: string): CustomerLinker => (link ??= customerLinker(table));

/** A run's budget: a vendor request is started only when it can run to its timeout before the reserve. */
function withRequests(budget: TimeBudget, api: NetcoreClient): TimeBudget {
  return { remainingMs: () => budget.remainingMs(), reserveMs: budget.reserveMs, requestMs: api.requestTimeoutMs };
}

/** `netcore-usage-poller`: one run's ports. */
export function usagePollerDeps(context: RemainingTime): UsageSyncDeps {
  const c = usagePollerConfig();
  const api = netcoreClient();
  return { api, store: dynamoNetcoreStore({ usage: c.usage }), channels: c.channels, now, budget: withRequests(timeBudget(context, { reserveMs: c.reserveMs }), api) };
}

/** `netcore-users-poller`: one run's ports. */
export function usersPollerDeps(context: RemainingTime): UsersSyncDeps {
  const c = usersPollerConfig();
  const api = netcoreClient();
  return {
    api,
    store: dynamoNetcoreStore({ users: c.users }),
    link: linker(c.customers),
    cursors: dynamoCursorStore(c.cursors),
    jobs: sqsTranscriptJobQueue(c.jobs),
    outbound: eventPublisher(),
    settings: { channels: c.channels, limit: c.limit, lookbackMs: c.lookbackMs, initialLookbackMs: c.initialLookbackMs, fetchDetails: c.fetchDetails, concurrency: c.concurrency },
    now,
    budget: withRequests(timeBudget(context, { reserveMs: c.reserveMs }), api),
  };
}

/** `netcore-transcripts-worker`: one job's ports, within the budget the queue consumer gives the record. */
export function transcriptsWorkerDeps(budget: TimeBudget): TranscriptsSyncDeps {
  const c = transcriptsWorkerConfig();
  const api = netcoreClient();
  return {
    api,
    store: dynamoNetcoreStore({ users: c.users, transcripts: c.transcripts }),
    link: linker(c.customers),
    jobs: sqsTranscriptJobQueue(c.jobs),
    outbound: eventPublisher(),
    settings: { limit: c.limit, lookbackMs: c.lookbackMs, windowMarginMs: c.windowMarginMs, concurrency: c.concurrency },
    now,
    budget: withRequests(budget, api),
    quarantine: hubQuarantine(c.quarantine),
  };
}

let reader: NetcoreReader | undefined;
/** `netcore-api`: the store's read side, made on first use. */
export const netcoreReader = (): NetcoreReader => (reader ??= dynamoNetcoreReader(apiConfig()));
