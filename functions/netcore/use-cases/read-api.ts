import * as z from 'zod';
import { MonthSchema, monthOf } from '#netcore/domain/api.ts';
import { CHANNELS, ChannelIdSchema, USER_CHANNEL_IDS, isChannelId } from '#netcore/domain/channels.ts';
import type { NetcoreReader } from '#netcore/adapters/store.ts';
import { NotFoundError } from '#platform/errors.ts';
import { ListQuery, sizedPage } from '#platform/list-page.ts';
import { utcTime } from '#platform/time.ts';
import { parseInput, pathId } from '#platform/validation.ts';

/**
 * The operator read API for Netcore data: each query read by its schema (a bad one is a 400 naming
 * the field), each stored row shown as its view.
 */

const Iso = z.iso.datetime({ offset: true }).transform((s) => new Date(s).toISOString());

const UsersQuery = ListQuery.extend({ channelId: ChannelIdSchema.optional(), after: Iso.optional() });
const TranscriptsQuery = UsersQuery;
const UsageQuery = z.object({ month: MonthSchema.optional(), channelId: z.union([z.literal('all'), ChannelIdSchema]).optional() });

type Query = Readonly<Record<string, string>>;

/** Users by last activity, oldest first, of one channel or of every user channel. */
export async function listUsers(reader: NetcoreReader, query: Query) {
  const p = parseInput(UsersQuery, query, 'Invalid query');
  const channels = p.channelId !== undefined ? [String(p.channelId)] : USER_CHANNEL_IDS.map(String);
  const page = await reader.usersByChannels(channels, p.after, p.limit, p.cursor);
  return sizedPage(page.items.map(userView), page.cursor ?? null, page.cursorAfter);
}

/** One user on each channel, with custom fields and tags. */
export async function showUser(reader: NetcoreReader, botUserId: string | undefined) {
  const id = requireUser(botUserId);
  const rows = await reader.userRows(id);
  if (rows.length === 0) throw new NotFoundError(`No Netcore user ${id} has been synced`);
  return { botUserId: id, channels: rows.map(userView) };
}

/** A user's messages in time order, of one channel or all. */
export async function listTranscripts(reader: NetcoreReader, botUserId: string | undefined, query: Query) {
  const id = requireUser(botUserId);
  const p = parseInput(TranscriptsQuery, query, 'Invalid query');
  const page = await reader.transcripts(id, p.channelId === undefined ? undefined : String(p.channelId), p.after, p.limit, p.cursor);
  return sizedPage(page.items.map(messageView), page.cursor ?? null, page.cursorAfter);
}

/** Monthly totals per channel and for the bot (`channelId=all`); this month by default. */
export async function showUsage(reader: NetcoreReader, query: Query, now: Date) {
  const p = parseInput(UsageQuery, query, 'Invalid query');
  const month = p.month ?? monthOf(now);
  const items = await reader.usage(month, p.channelId === undefined ? undefined : String(p.channelId));
  // Never paged: one row per channel (at most 13).
  return {
    items: items.map((i) => ({
      month,
      channelId: String(i.channel),
      channelName: i.channel === 'all' ? 'all' : (channelName(String(i.channel)) ?? null),
      totalMessages: i.totalMessages,
      totalUsers: i.totalUsers,
      refreshedAt: utcTime(i.refreshedAt),
    })),
    nextCursor: null,
  };
}

/**
 * The path's user as API Gateway decoded it, used as it is (decoding again would turn a literal `%`
 * into a URIError, and `%2525` into the wrong id), once the kit has checked it can be a key (400).
 */
function requireUser(botUserId: string | undefined): string {
  return pathId(botUserId, 'botUserId');
}

function channelName(channel: string): string | undefined {
  const n = Number(channel);
  return isChannelId(n) ? CHANNELS[n] : undefined;
}

function userView(i: Record<string, unknown>) {
  return {
    botUserId: i.botUserId,
    channelId: i.channelId === undefined || i.channelId === null ? null : String(i.channelId),
    channelName: i.channelName ?? null,
    userName: i.userName ?? null,
    createdDate: utcTime(i.createdDate),
    firstInteractedAt: utcTime(i.firstInteractedAt),
    lastInteractedAt: utcTime(i.lastInteractedAt),
    customFields: i.customFields ?? null,
    tags: i.tags ?? null,
    botUserCustomFields: i.botUserCustomFields ?? null,
    transcriptsSyncedTo: utcTime(i.transcriptsSyncedTo),
    vendor: i.vendor ?? null,
  };
}

function messageView(i: Record<string, unknown>) {
  return {
    key: i.key,
    channelId: String(i.channel),
    createdAt: utcTime(i.createdAt),
    type: i.type ?? null,
    shape: i.shape,
    from: i.from ?? null,
    message: i.message,
  };
}
