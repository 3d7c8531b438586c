import { asciiJson } from '#platform/queue.ts';
import { expiry } from '#platform/retention.ts';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import type { NetcoreUser, UserDetails, UsageResponse } from '#netcore/domain/api.ts';
import type { ChannelId } from '#netcore/domain/channels.ts';
import type { TranscriptJob } from '#netcore/domain/jobs.ts';
import type { TranscriptEntry } from '#netcore/domain/messages.ts';
import { ConfigError } from '#platform/errors.ts';
import { pageCursor } from '#platform/page-cursor.ts';
import { storableCopy } from '#platform/storable.ts';
import { KEY_LIMITS, keyValue } from '#platform/validation.ts';
import { conditionalWrite, dynamo, isConditionFailed, sqs } from '#platform/aws.ts';

/**
 * DynamoDB storage for Netcore data. Key design (see infra/topology/netcore.ts):
 * - `netcore-usage`: `month` (YYYY-MM) + `channel` (`"1014"`, or `"all"` for the bot total).
 * - `netcore-users`: `botUserId` + `channel`; index `byChannelActivity` on `channel` +
 *   `activityKey` (`<last interacted ISO>#<botUserId>`) lists a channel's users in time order.
 * - `netcore-transcripts`: `botUserId` + `sortKey` (`<createdAt ISO>#<channel>#<message key>`) keeps a
 *   user's messages in time order across channels; index `byUserChannel` on `userChannel` +
 *   `sortKey` gives one channel. The sort key contains the message's stable key, and each message is
 *   written with a conditional put, so a message read twice is stored once.
 */

/** What the users poller needs back from storing a user: what was stored before. */
export interface StoredUserState {
  /** False when a newer version of the user was already stored (nothing was changed). */
  readonly updated: boolean;
  readonly detailsFetchedAt?: string;
  readonly transcriptsSyncedTo?: string;
}

/** A user row as the vendor listed it, normalised. */
export interface UserRecord {
  readonly botUserId: string;
  /** Channel id as a string, or `name:<channelName>` when the vendor's name is not a known channel. */
  readonly channel: string;
  readonly channelId?: ChannelId;
  readonly lastInteractedAt?: string;
  readonly raw: NetcoreUser;
}

/** Port: storage for users, usage and transcripts. */
export interface NetcoreStore {
  putUsage(month: string, channel: ChannelId | 'all', usage: UsageResponse, refreshedAt: string): Promise<void>;
  /** Stores a listed user unless a newer `last interacted date` is already stored. */
  putUser(user: UserRecord, seenAt: string): Promise<StoredUserState>;
  putUserDetails(botUserId: string, channel: string, details: UserDetails, fetchedAt: string): Promise<void>;
  putBotUserCustomFields(botUserId: string, channel: string, customFields: Record<string, unknown>): Promise<void>;
  getUser(botUserId: string, channel: string): Promise<Record<string, unknown> | undefined>;
  /** Stores one message; false when it was already stored. */
  putMessage(m: MessageRecord): Promise<boolean>;
  /** Moves the transcripts watermark of a user and channel forward (never back). */
  markTranscriptsSynced(botUserId: string, channel: string, until: string): Promise<void>;
}

/** One transcript item ready to store. */
export interface MessageRecord {
  readonly botUserId: string;
  readonly channelId: ChannelId;
  readonly key: string;
  readonly createdAt: string | undefined;
  readonly entry: TranscriptEntry;
  readonly storedAt: string;
}

/** Key attributes of the transcripts table and its index (byUserChannel), for the storability check. */
export const TRANSCRIPT_KEYS = { partition: ['botUserId', 'userChannel'], sort: ['sortKey'] } as const;

/**
 * The item a transcript message is stored as. The vendor's item is kept as it came, except the values
 * DynamoDB cannot hold as they are (numbers past ±2^53, maps with empty keys, nesting past 32 levels),
 * which become their text (`storableCopy`, as a Goodays thread does): what is left unstorable (an item
 * over 400 KB, a key too long) is the poller's to quarantine, never a job failing into the DLQ.
 */
export function messageItem(m: MessageRecord): Record<string, unknown> {
  const channel = String(m.channelId);
  return {
    botUserId: m.botUserId,
    sortKey: messageSortKey(m.createdAt, channel, m.key),
    channel,
    userChannel: `${m.botUserId}#${channel}`,
    key: m.key,
    createdAt: m.createdAt,
    type: m.entry.type,
    shape: m.entry.shape,
    from: fromOf(m.entry.raw),
    issues: m.entry.shape === 'unknown' ? m.entry.issues : undefined,
    message: storableCopy(m.entry.raw),
    storedAt: m.storedAt,
    // Retention (NETCORE_TRANSCRIPTS), from the message's own time.
    ...expiry('NETCORE_TRANSCRIPTS', m.createdAt ?? m.storedAt),
  };
}

/** Sort key of a message: time first so queries come back in time order. */
export function messageSortKey(createdAt: string | undefined, channel: string, key: string): string {
  return `${createdAt ?? '0000-00-00T00:00:00.000Z'}#${channel}#${key}`;
}

/**
 * Table names of the store. A function is given only the tables its topology entry declares (least
 * privilege), so each is optional here and asked for when a method first needs it.
 */
export interface NetcoreTables {
  readonly usage?: string;
  readonly users?: string;
  readonly transcripts?: string;
}

/** A table the store needs now; a function not given it fails naming it, before any request. */
function table(t: NetcoreTables, name: keyof NetcoreTables): string {
  const physical = t[name];
  if (physical === undefined) throw new ConfigError(`Netcore table ${name} is not one this function was configured with`);
  return physical;
}

/** The DynamoDB implementation of {@link NetcoreStore}. */
export function dynamoNetcoreStore(t: NetcoreTables): NetcoreStore {
  return {
    async putUsage(month, channel, usage, refreshedAt) {
      await dynamo.send(
        new PutCommand({
          TableName: table(t, 'usage'),
          Item: { month, channel: String(channel), totalMessages: usage.totalMessages, totalUsers: usage.totalUsers, refreshedAt, raw: usage },
        }),
      );
    },

    async putUser(user, seenAt) {
      const li = user.lastInteractedAt;
      try {
        const out = await dynamo.send(
          new UpdateCommand({
            TableName: table(t, 'users'),
            Key: { botUserId: user.botUserId, channel: user.channel },
            UpdateExpression:
              'SET channelId = :cid, channelName = :cn, userName = :un, createdDate = :cd, firstInteractedAt = :fi, lastInteractedAt = :li, activityKey = :ak, vendor = :raw, seenAt = :seen',
            // Final state does not depend on the order rows arrive in: an older row never overwrites a newer one.
            ConditionExpression: 'attribute_not_exists(botUserId) OR attribute_not_exists(lastInteractedAt) OR lastInteractedAt <= :li',
            ExpressionAttributeValues: {
              ':cid': user.channelId ?? null,
              ':cn': user.raw.channelName ?? null,
              ':un': user.raw.userName ?? null,
              ':cd': user.raw.createdDate ?? null,
              ':fi': user.raw['first interacted date'] ?? null,
              ':li': li ?? '',
              ':ak': `${li ?? ''}#${user.botUserId}`,
              ':raw': user.raw,
              ':seen': seenAt,
            },
            ReturnValues: 'ALL_OLD',
          }),
        );
        const old = out.Attributes ?? {};
        return {
          updated: true,
          detailsFetchedAt: typeof old.detailsFetchedAt === 'string' ? old.detailsFetchedAt : undefined,
          transcriptsSyncedTo: typeof old.transcriptsSyncedTo === 'string' ? old.transcriptsSyncedTo : undefined,
        };
      } catch (err) {
        if (isConditionFailed(err)) return { updated: false };
        throw err;
      }
    },

    async putUserDetails(botUserId, channel, details, fetchedAt) {
      await dynamo.send(
        new UpdateCommand({
          TableName: table(t, 'users'),
          Key: { botUserId, channel },
          UpdateExpression: 'SET customFields = :cf, tags = :tags, details = :d, detailsFetchedAt = :at',
          ExpressionAttributeValues: { ':cf': details.customFields ?? {}, ':tags': details.tags ?? [], ':d': details, ':at': fetchedAt },
        }),
      );
    },

    async putBotUserCustomFields(botUserId, channel, customFields) {
      await dynamo.send(
        new UpdateCommand({
          TableName: table(t, 'users'),
          Key: { botUserId, channel },
          UpdateExpression: 'SET botUserCustomFields = :cf',
          ExpressionAttributeValues: { ':cf': customFields },
        }),
      );
    },

    async getUser(botUserId, channel) {
      const out = await dynamo.send(new GetCommand({ TableName: table(t, 'users'), Key: { botUserId, channel }, ConsistentRead: true }));
      return out.Item;
    },

    async putMessage(m) {
      return conditionalWrite(() => dynamo.send(new PutCommand({ TableName: table(t, 'transcripts'), Item: messageItem(m), ConditionExpression: 'attribute_not_exists(sortKey)' })));
    },

    async markTranscriptsSynced(botUserId, channel, until) {
      try {
        await dynamo.send(
          new UpdateCommand({
            TableName: table(t, 'users'),
            Key: { botUserId, channel },
            UpdateExpression: 'SET transcriptsSyncedTo = :u',
            ConditionExpression: 'attribute_not_exists(transcriptsSyncedTo) OR transcriptsSyncedTo < :u',
            ExpressionAttributeValues: { ':u': until },
          }),
        );
      } catch (err) {
        if (!isConditionFailed(err)) throw err;
      }
    },
  };
}

function fromOf(raw: unknown): string | undefined {
  const v = raw && typeof raw === 'object' ? (raw as Record<string, unknown>).from : undefined;
  return typeof v === 'string' ? v : undefined;
}

/** Port: where transcript jobs go. Resolves once every job is accepted. */
export interface TranscriptJobQueue {
  send(jobs: readonly TranscriptJob[]): Promise<void>;
}

/** SQS job queue; batches of ten per request, and any rejected entry fails the whole call. */
export function sqsTranscriptJobQueue(queueUrl: string): TranscriptJobQueue {
  return {
    async send(jobs) {
      for (let i = 0; i < jobs.length; i += 10) {
        const chunk = jobs.slice(i, i + 10);
        const out = await sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: chunk.map((job, n) => ({ Id: String(n), MessageBody: asciiJson(job) })),
          }),
        );
        if (out.Failed && out.Failed.length > 0) {
          throw new Error(`SQS rejected ${out.Failed.length} transcript job(s): ${out.Failed.map((f) => f.Message ?? f.Code).join('; ')}`);
        }
      }
    },
  };
}

// ---- Reads for the operator API ----

/**
 * Page cursors of the operator API (the kit's strict opaque {@link pageCursor}). A position is checked
 * against the exact key of the index it will be given to (attribute names, string types) and against
 * the query (same partition, inside the `after` bound): a cursor DynamoDB would refuse as
 * ExclusiveStartKey (ValidationException, a 500) is the caller's error, a 400 naming `cursor`.
 */
const Str = keyValue(KEY_LIMITS.partition);
const SortStr = keyValue(KEY_LIMITS.sort);
/** `byChannelActivity` keys: the table's `botUserId` + `channel` and the index's `activityKey`. */
const UsersKey = z.strictObject({ botUserId: Str, channel: Str, activityKey: SortStr });
type UsersKey = z.infer<typeof UsersKey>;
/** Per channel: absent = from the start, null = read to the end, a key = continue after it. */
const usersCursor = pageCursor('netcore-users', z.record(z.string(), UsersKey.nullable()));
/** The transcripts table's key; on the `byUserChannel` index it carries `userChannel` too. */
const TranscriptKey = z.strictObject({ botUserId: Str, sortKey: SortStr, userChannel: z.optional(Str) });
type TranscriptKey = z.infer<typeof TranscriptKey>;
const transcriptsCursor = pageCursor('netcore-transcripts', TranscriptKey);

/** Why users positions do not fit: each for its own channel, one of those asked for, inside `after`. */
function usersMisfit(positions: Record<string, UsersKey | null>, channels: readonly string[], after: string | undefined): string | undefined {
  for (const [channel, key] of Object.entries(positions)) {
    if (!channels.includes(channel)) return `channel ${channel} is not in this query`;
    if (key === null) continue;
    if (key.channel !== channel) return `position of channel ${channel} names channel ${key.channel}`;
    if (after !== undefined && key.activityKey <= afterBound(after)) return 'position is before `after`';
  }
  return undefined;
}

/** Why a transcripts position does not fit: this user (and channel, on the channel index), inside `after`. */
function transcriptsMisfit(key: TranscriptKey, botUserId: string, channel: string | undefined, after: string | undefined): string | undefined {
  if (key.botUserId !== botUserId) return 'position is for another user';
  if (channel !== undefined && key.userChannel !== `${botUserId}#${channel}`) return 'position is for another channel';
  if (channel === undefined && key.userChannel !== undefined) return 'position is of one channel, not of every channel';
  if (after !== undefined && key.sortKey <= afterBound(after)) return 'position is before `after`';
  return undefined;
}

export interface PageOf<T> {
  readonly items: T[];
  /** The cursor after the last item, when more follow. */
  readonly cursor?: string;
  /** The cursor continuing after item `index` (a page cut short by its size). */
  cursorAfter(index: number): string;
}

/** Read side of the store, for the operator API. */
export interface NetcoreReader {
  usersByChannels(channels: readonly string[], after: string | undefined, limit: number, cursor: string | undefined): Promise<PageOf<Record<string, unknown>>>;
  userRows(botUserId: string): Promise<Record<string, unknown>[]>;
  transcripts(botUserId: string, channel: string | undefined, after: string | undefined, limit: number, cursor: string | undefined): Promise<PageOf<Record<string, unknown>>>;
  usage(month: string, channel: string | undefined): Promise<Record<string, unknown>[]>;
}

/** `after` as a lower bound of a time-prefixed sort key: strictly after every key of that instant. */
const afterBound = (after: string): string => `${after}#\u{10FFFF}`;

/** The DynamoDB implementation of {@link NetcoreReader}. */
export function dynamoNetcoreReader(t: NetcoreTables): NetcoreReader {
  async function queryUsersOfChannel(channel: string, after: string | undefined, limit: number, start: Record<string, string | number> | undefined) {
    const out = await dynamo.send(
      new QueryCommand({
        TableName: table(t, 'users'),
        IndexName: 'byChannelActivity',
        KeyConditionExpression: after ? '#c = :c AND activityKey > :a' : '#c = :c',
        ExpressionAttributeNames: { '#c': 'channel' },
        ExpressionAttributeValues: after ? { ':c': channel, ':a': afterBound(after) } : { ':c': channel },
        Limit: limit,
        ExclusiveStartKey: start,
      }),
    );
    return { items: out.Items ?? [], last: out.LastEvaluatedKey as Record<string, string | number> | undefined };
  }

  return {
    // Several channels: read each in time order and merge, remembering per channel the last key
    // given out, so the next page continues every channel where it stopped.
    async usersByChannels(channels, after, limit, cursor) {
      // Per channel: absent = from the start, null = read to the end, a key = continue after it.
      const positions: Record<string, UsersKey | null> = usersCursor.decode(cursor, (p) => usersMisfit(p, channels, after)) ?? {};
      const heads: { channel: string; item: Record<string, unknown> }[] = [];
      const fetched = new Map<string, { count: number; more: boolean }>();
      for (const channel of channels) {
        const position = positions[channel];
        if (position === null) continue;
        const page = await queryUsersOfChannel(channel, after, limit, position);
        fetched.set(channel, { count: page.items.length, more: page.last !== undefined });
        for (const item of page.items) heads.push({ channel, item });
      }
      heads.sort((a, b) => String(a.item.activityKey).localeCompare(String(b.item.activityKey)) || a.channel.localeCompare(b.channel));
      const taken = heads.slice(0, limit);
      // Where each channel stands once the first `count` users taken are given out.
      const positionsAfter = (count: number): Record<string, UsersKey | null> => {
        const given = taken.slice(0, count);
        const next: Record<string, UsersKey | null> = {};
        for (const channel of channels) {
          const position = positions[channel];
          const f = fetched.get(channel);
          if (position === null || !f) {
            next[channel] = null;
            continue;
          }
          const mine = given.filter((h) => h.channel === channel);
          const last = mine[mine.length - 1];
          if (mine.length === f.count && !f.more) next[channel] = null;
          else if (last) next[channel] = { botUserId: String(last.item.botUserId), channel, activityKey: String(last.item.activityKey) };
          else if (position !== undefined) next[channel] = position;
        }
        return next;
      };
      const next = positionsAfter(taken.length);
      const done = Object.values(next).every((v) => v === null) && Object.keys(next).length === channels.length;
      return { items: taken.map((h) => h.item), cursor: done ? undefined : usersCursor.encode(next), cursorAfter: (index) => usersCursor.encode(positionsAfter(index + 1)) };
    },

    async userRows(botUserId) {
      const out = await dynamo.send(
        new QueryCommand({ TableName: table(t, 'users'), KeyConditionExpression: 'botUserId = :u', ExpressionAttributeValues: { ':u': botUserId } }),
      );
      return out.Items ?? [];
    },

    async transcripts(botUserId, channel, after, limit, cursor) {
      const start = transcriptsCursor.decode(cursor, (k) => transcriptsMisfit(k, botUserId, channel, after));
      const byChannel = channel !== undefined;
      const out = await dynamo.send(
        new QueryCommand({
          TableName: table(t, 'transcripts'),
          IndexName: byChannel ? 'byUserChannel' : undefined,
          KeyConditionExpression: `#pk = :pk${after ? ' AND sortKey > :a' : ''}`,
          ExpressionAttributeNames: { '#pk': byChannel ? 'userChannel' : 'botUserId' },
          ExpressionAttributeValues: { ':pk': byChannel ? `${botUserId}#${channel}` : botUserId, ...(after ? { ':a': afterBound(after) } : {}) },
          Limit: limit,
          ExclusiveStartKey: start,
        }),
      );
      const keyOf = (k: Record<string, unknown>) => ({ botUserId: String(k.botUserId), sortKey: String(k.sortKey), ...(byChannel ? { userChannel: String(k.userChannel) } : {}) });
      const items = out.Items ?? [];
      const last = out.LastEvaluatedKey;
      return { items, cursor: last ? transcriptsCursor.encode(keyOf(last)) : undefined, cursorAfter: (index) => transcriptsCursor.encode(keyOf(items[index] ?? {})) };
    },

    async usage(month, channel) {
      const out = await dynamo.send(
        new QueryCommand({
          TableName: table(t, 'usage'),
          KeyConditionExpression: channel ? '#m = :m AND #c = :c' : '#m = :m',
          ExpressionAttributeNames: channel ? { '#m': 'month', '#c': 'channel' } : { '#m': 'month' },
          ExpressionAttributeValues: channel ? { ':m': month, ':c': channel } : { ':m': month },
        }),
      );
      return out.Items ?? [];
    },
  };
}
