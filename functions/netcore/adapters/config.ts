import * as z from 'zod';
import { ChannelIdSchema, USER_CHANNEL_IDS, UserChannelIdSchema, type ChannelId } from '#netcore/domain/channels.ts';
import { TRANSCRIPTS_LIMIT, USERS_LIMIT } from '#netcore/domain/api.ts';
import { functionConfig, setting, type ConfigOf } from '#platform/config.ts';

const MINUTE = 60_000;

function channelList<T>(item: z.ZodType<T>) {
  return z.string().transform((s, ctx) => {
    const out: T[] = [];
    for (const part of s.split(',').map((p) => p.trim()).filter(Boolean)) {
      const r = item.safeParse(part);
      if (r.success) out.push(r.data);
      else ctx.addIssue({ code: 'custom', message: `${part}: ${r.error.issues.map((i) => i.message).join('; ')}` });
    }
    if (out.length === 0) ctx.addIssue({ code: 'custom', message: 'at least one channel id' });
    return [...new Set(out)];
  });
}

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
/** Minutes in the variable, milliseconds in the setting. */
const minutes = (min: number, max: number) => int(min, max).transform((m) => m * MINUTE);
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/**
 * Netcore settings, each from an optional `NETCORE_*` variable with a documented default (so any
 * Netcore function may read any of them: none is a resource its topology entry would have to grant).
 * An invalid value fails naming the variable.
 */
export const netcoreSetting = {
  /** `NETCORE_USAGE_CHANNELS` @default 1010,1014,1016,1017 (the bot total is always read too) */
  usageChannels: setting.optional('NETCORE_USAGE_CHANNELS', channelList(ChannelIdSchema), [...USER_CHANNEL_IDS] as readonly ChannelId[]),
  /** `NETCORE_USER_CHANNELS` @default 1010,1014,1016,1017 */
  userChannels: setting.optional('NETCORE_USER_CHANNELS', channelList(UserChannelIdSchema), [...USER_CHANNEL_IDS]),
  /** `NETCORE_USERS_LIMIT` @default 1000 */
  usersLimit: setting.optional('NETCORE_USERS_LIMIT', int(USERS_LIMIT.min, USERS_LIMIT.max), USERS_LIMIT.max),
  /** `NETCORE_USERS_LOOKBACK_MINUTES` @default 15 */
  usersLookbackMs: setting.optional('NETCORE_USERS_LOOKBACK_MINUTES', minutes(0, 1440), 15 * MINUTE),
  /** `NETCORE_USERS_INITIAL_DAYS` @default 90 */
  usersInitialLookbackMs: setting.optional('NETCORE_USERS_INITIAL_DAYS', int(1, 3650).transform((d) => d * 1440 * MINUTE), 90 * 1440 * MINUTE),
  /** `NETCORE_FETCH_USER_DETAILS` @default true */
  fetchUserDetails: setting.optional('NETCORE_FETCH_USER_DETAILS', bool, true),
  /** `NETCORE_CONCURRENCY` @default 8 */
  concurrency: setting.optional('NETCORE_CONCURRENCY', int(1, 64), 8),
  /** `NETCORE_TRANSCRIPTS_LIMIT` @default 1000 */
  transcriptsLimit: setting.optional('NETCORE_TRANSCRIPTS_LIMIT', int(TRANSCRIPTS_LIMIT.min, TRANSCRIPTS_LIMIT.max), TRANSCRIPTS_LIMIT.max),
  /** `NETCORE_TRANSCRIPTS_LOOKBACK_MINUTES` @default 15 */
  transcriptsLookbackMs: setting.optional('NETCORE_TRANSCRIPTS_LOOKBACK_MINUTES', minutes(0, 1440), 15 * MINUTE),
  /** `NETCORE_WINDOW_MARGIN_MINUTES` @default 60 */
  windowMarginMs: setting.optional('NETCORE_WINDOW_MARGIN_MINUTES', minutes(0, 1440 * 7), 60 * MINUTE),
  /** `NETCORE_TIME_RESERVE_MS` @default 15000 */
  reserveMs: setting.optional('NETCORE_TIME_RESERVE_MS', int(0, 600_000), 15_000),
};

/** Every Netcore setting, typed. */
export type NetcoreSettings = ConfigOf<typeof netcoreSetting>;

/** Reads every setting from the environment now (not kept: the CLI and tests change the environment). */
export function netcoreSettingsFromEnv(): NetcoreSettings {
  return functionConfig(netcoreSetting)();
}

const S = netcoreSetting;

/**
 * One configuration per Netcore function: the settings it uses plus the tables and queues its
 * topology entry gives it (and no other: a bundle runs with only its own environment). Each is read
 * on first use and kept for the life of the process.
 */
export const usagePollerConfig = functionConfig({ channels: S.usageChannels, reserveMs: S.reserveMs, usage: setting.table('netcore-usage') });

/** @see usagePollerConfig */
export const usersPollerConfig = functionConfig({
  customers: setting.table('customer-index'),
  channels: S.userChannels,
  limit: S.usersLimit,
  lookbackMs: S.usersLookbackMs,
  initialLookbackMs: S.usersInitialLookbackMs,
  fetchDetails: S.fetchUserDetails,
  concurrency: S.concurrency,
  reserveMs: S.reserveMs,
  users: setting.table('netcore-users'),
  cursors: setting.table('cursors'),
  jobs: setting.queue('netcore-transcripts'),
});

/** @see usagePollerConfig */
export const transcriptsWorkerConfig = functionConfig({
  customers: setting.table('customer-index'),
  limit: S.transcriptsLimit,
  lookbackMs: S.transcriptsLookbackMs,
  windowMarginMs: S.windowMarginMs,
  concurrency: S.concurrency,
  users: setting.table('netcore-users'),
  transcripts: setting.table('netcore-transcripts'),
  jobs: setting.queue('netcore-transcripts'),
  quarantine: setting.table('quarantine'),
});

/** @see usagePollerConfig */
export const apiConfig = functionConfig({ users: setting.table('netcore-users'), transcripts: setting.table('netcore-transcripts'), usage: setting.table('netcore-usage') });
