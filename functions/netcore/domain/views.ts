import * as z from 'zod';

/**
 * What the Netcore operator API answers, as schemas: the use cases build these views, and the
 * OpenAPI document describes them from here.
 */

const Time = z.iso.datetime().meta({ description: 'ISO-8601, UTC.' });

/** A user on one channel. */
export const UserView = z
  .object({
    botUserId: z.string().meta({ example: '+919876543213' }),
    channelId: z.string().nullable().meta({ description: "Netcore's channel id, as a string.", example: '1014' }),
    channelName: z.string().nullable(),
    userName: z.string().nullable(),
    createdDate: Time.nullable(),
    firstInteractedAt: Time.nullable(),
    lastInteractedAt: Time.nullable(),
    customFields: z.unknown(),
    tags: z.unknown(),
    botUserCustomFields: z.unknown(),
    transcriptsSyncedTo: Time.nullable(),
    vendor: z.unknown().meta({ description: 'The user row as Netcore sent it.' }),
  })
  .meta({ id: 'NetcoreUser' });

/** `GET /netcore/users/{botUserId}`. */
export const UserDetail = z.object({ botUserId: z.string(), channels: z.array(UserView) }).meta({ id: 'NetcoreUserDetail' });

/** One message of a transcript. */
export const MessageView = z
  .object({
    key: z.string(),
    channelId: z.string(),
    createdAt: Time.nullable(),
    type: z.string().nullable(),
    shape: z.enum(['known', 'unknown']),
    from: z.unknown(),
    message: z.unknown().meta({ description: 'The message as Netcore sent it.' }),
  })
  .meta({ id: 'NetcoreMessage' });

/** One usage row of a month. */
export const UsageView = z
  .object({
    month: z.string().meta({ example: '2026-11' }),
    channelId: z.string().meta({ description: 'A channel id, or `all` for the bot total.', example: 'all' }),
    channelName: z.string().nullable(),
    totalMessages: z.number(),
    totalUsers: z.number(),
    refreshedAt: Time.nullable(),
  })
  .meta({ id: 'NetcoreUsage' });
