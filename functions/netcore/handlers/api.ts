import * as z from 'zod';
import { MonthSchema, monthOf } from '#netcore/domain/api.ts';
import { CHANNELS, ChannelIdSchema, USER_CHANNEL_IDS, isChannelId } from '#netcore/domain/channels.ts';
import { dynamoNetcoreReader, type NetcoreReader } from '#netcore/adapters/store.ts';
import { secretValue } from '#platform/config.ts';
import { NotFoundError, ValidationError } from '#platform/errors.ts';
import { httpHandler, json, queryParams, requireBearer, type HttpEvent, type HttpResult } from '#platform/http.ts';
import { netcoreTables } from '#netcore/adapters/config.ts';

let reader: NetcoreReader | undefined;

const Iso = z.iso.datetime({ offset: true }).transform((s) => new Date(s).toISOString());
const Limit = z.coerce.number().int().min(1).max(500).default(50);

const UsersQuery = z.object({ channelId: ChannelIdSchema.optional(), after: Iso.optional(), limit: Limit, cursor: z.string().min(1).optional() });
const TranscriptsQuery = UsersQuery;
const UsageQuery = z.object({ month: MonthSchema.optional(), channelId: z.union([z.literal('all'), ChannelIdSchema]).optional() });

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new ValidationError('Invalid query', r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  return r.data;
}

/**
 * Operator read API for Netcore data (Authorization: Bearer HUB_OPERATOR_TOKEN):
 * - `GET /netcore/users?channelId=&after=&limit=&cursor=`: users by last activity, oldest first.
 * - `GET /netcore/users/{botUserId}`: one user on each channel, with custom fields and tags.
 * - `GET /netcore/users/{botUserId}/transcripts?channelId=&after=&limit=&cursor=`: messages in time order.
 * - `GET /netcore/usage?month=YYYY-MM&channelId=`: monthly totals (`channelId=all` for the bot total).
 */
export const handler = httpHandler(async (event: HttpEvent): Promise<HttpResult> => {
  requireBearer(event, await secretValue('hub', 'HUB_OPERATOR_TOKEN'));
  reader ??= dynamoNetcoreReader(netcoreTables());
  const q = queryParams(event);
  // API Gateway has already decoded the path parameters: use them as they are (decoding again would
  // turn a literal `%` into a URIError, and `%2525` into the wrong id).
  const botUserId = event.pathParameters?.botUserId ?? '';
  if (event.routeKey.includes('{botUserId}') && !botUserId) throw new NotFoundError('No Netcore user given');

  switch (event.routeKey) {
    case 'GET /netcore/users': {
      const p = parse(UsersQuery, q);
      const channels = p.channelId !== undefined ? [String(p.channelId)] : USER_CHANNEL_IDS.map(String);
      const page = await reader.usersByChannels(channels, p.after, p.limit, p.cursor);
      return json(200, { items: page.items.map(userView), cursor: page.cursor ?? null });
    }
    case 'GET /netcore/usage': {
      const p = parse(UsageQuery, q);
      const month = p.month ?? monthOf(new Date());
      const items = await reader.usage(month, p.channelId === undefined ? undefined : String(p.channelId));
      return json(200, {
        month,
        items: items.map((i) => ({
          channelId: i.channel === 'all' ? 'all' : Number(i.channel),
          channelName: i.channel === 'all' ? 'all' : channelName(String(i.channel)),
          totalMessages: i.totalMessages,
          totalUsers: i.totalUsers,
          refreshedAt: i.refreshedAt,
        })),
      });
    }
    case 'GET /netcore/users/{botUserId}/transcripts': {
      const p = parse(TranscriptsQuery, q);
      const page = await reader.transcripts(botUserId, p.channelId === undefined ? undefined : String(p.channelId), p.after, p.limit, p.cursor);
      return json(200, { botUserId, items: page.items.map(messageView), cursor: page.cursor ?? null });
    }
    case 'GET /netcore/users/{botUserId}': {
      const rows = await reader.userRows(botUserId);
      if (rows.length === 0) throw new NotFoundError(`No Netcore user ${botUserId} has been synced`);
      return json(200, { botUserId, channels: rows.map(userView) });
    }
    default:
      throw new NotFoundError(`No route ${event.routeKey}`);
  }
});

function channelName(channel: string): string | undefined {
  const n = Number(channel);
  return isChannelId(n) ? CHANNELS[n] : undefined;
}

function userView(i: Record<string, unknown>) {
  return {
    botUserId: i.botUserId,
    channelId: i.channelId ?? null,
    channelName: i.channelName ?? null,
    userName: i.userName ?? null,
    createdDate: i.createdDate ?? null,
    firstInteractedAt: i.firstInteractedAt ?? null,
    lastInteractedAt: i.lastInteractedAt ?? null,
    customFields: i.customFields ?? null,
    tags: i.tags ?? null,
    botUserCustomFields: i.botUserCustomFields ?? null,
    transcriptsSyncedTo: i.transcriptsSyncedTo ?? null,
    vendor: i.vendor ?? null,
  };
}

function messageView(i: Record<string, unknown>) {
  return {
    key: i.key,
    channelId: Number(i.channel),
    createdAt: i.createdAt ?? null,
    type: i.type ?? null,
    shape: i.shape,
    from: i.from ?? null,
    message: i.message,
  };
}
