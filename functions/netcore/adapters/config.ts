import * as z from 'zod';
import { ChannelIdSchema, USER_CHANNEL_IDS, UserChannelIdSchema, type ChannelId, type UserChannelId } from '#netcore/domain/channels.ts';
import { TRANSCRIPTS_LIMIT, USERS_LIMIT } from '#netcore/domain/api.ts';
import { optionalEnv, tableName } from '#platform/config.ts';

/**
 * Netcore settings, each from an optional `NETCORE_*` variable with a documented default. Read once
 * per process (see {@link netcoreSettings}); an invalid value fails naming the variable.
 */
export interface NetcoreSettings {
  /** `NETCORE_USAGE_CHANNELS` @default 1010,1014,1016,1017 (the bot total is always read too) */
  readonly usageChannels: readonly ChannelId[];
  /** `NETCORE_USER_CHANNELS` @default 1010,1014,1016,1017 */
  readonly userChannels: readonly UserChannelId[];
  /** `NETCORE_USERS_LIMIT` @default 1000 */
  readonly usersLimit: number;
  /** `NETCORE_USERS_LOOKBACK_MINUTES` @default 15 */
  readonly usersLookbackMs: number;
  /** `NETCORE_USERS_INITIAL_DAYS` @default 90 */
  readonly usersInitialLookbackMs: number;
  /** `NETCORE_FETCH_USER_DETAILS` @default true */
  readonly fetchUserDetails: boolean;
  /** `NETCORE_CONCURRENCY` @default 8 */
  readonly concurrency: number;
  /** `NETCORE_TRANSCRIPTS_LIMIT` @default 1000 */
  readonly transcriptsLimit: number;
  /** `NETCORE_TRANSCRIPTS_LOOKBACK_MINUTES` @default 15 */
  readonly transcriptsLookbackMs: number;
  /** `NETCORE_WINDOW_MARGIN_MINUTES` @default 60 */
  readonly windowMarginMs: number;
  /** `NETCORE_TIME_RESERVE_MS` @default 15000 */
  readonly reserveMs: number;
}

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
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** Reads the settings from the environment. */
export function netcoreSettingsFromEnv(): NetcoreSettings {
  return {
    usageChannels: optionalEnv('NETCORE_USAGE_CHANNELS', channelList(ChannelIdSchema), [...USER_CHANNEL_IDS] as ChannelId[]),
    userChannels: optionalEnv('NETCORE_USER_CHANNELS', channelList(UserChannelIdSchema), [...USER_CHANNEL_IDS]),
    usersLimit: optionalEnv('NETCORE_USERS_LIMIT', int(USERS_LIMIT.min, USERS_LIMIT.max), USERS_LIMIT.max),
    usersLookbackMs: optionalEnv('NETCORE_USERS_LOOKBACK_MINUTES', int(0, 1440), 15) * MINUTE,
    usersInitialLookbackMs: optionalEnv('NETCORE_USERS_INITIAL_DAYS', int(1, 3650), 90) * 1440 * MINUTE,
    fetchUserDetails: optionalEnv('NETCORE_FETCH_USER_DETAILS', bool, true),
    concurrency: optionalEnv('NETCORE_CONCURRENCY', int(1, 64), 8),
    transcriptsLimit: optionalEnv('NETCORE_TRANSCRIPTS_LIMIT', int(TRANSCRIPTS_LIMIT.min, TRANSCRIPTS_LIMIT.max), TRANSCRIPTS_LIMIT.max),
    transcriptsLookbackMs: optionalEnv('NETCORE_TRANSCRIPTS_LOOKBACK_MINUTES', int(0, 1440), 15) * MINUTE,
    windowMarginMs: optionalEnv('NETCORE_WINDOW_MARGIN_MINUTES', int(0, 1440 * 7), 60) * MINUTE,
    reserveMs: optionalEnv('NETCORE_TIME_RESERVE_MS', int(0, 600_000), 15_000),
  };
}

let cached: NetcoreSettings | undefined;
/** The settings, read on first use and kept for the life of the process. */
export function netcoreSettings(): NetcoreSettings {
  cached ??= netcoreSettingsFromEnv();
  return cached;
}

/**
 * Table names of the Netcore store, from `TABLE_NETCORE_*`, each read when first used: a function is
 * given only the tables it declares (least privilege), so asking for all three up front would fail
 * in a function that uses one.
 */
export function netcoreTables(): { readonly usage: string; readonly users: string; readonly transcripts: string } {
  return {
    get usage() {
      return tableName('netcore-usage');
    },
    get users() {
      return tableName('netcore-users');
    },
    get transcripts() {
      return tableName('netcore-transcripts');
    },
  };
}

