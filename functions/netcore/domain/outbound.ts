import * as z from 'zod';
import { defineEvent } from '#platform/outbound/event.ts';

/** Netcore's outbound events (its topology's `eventModule`). */

/** The subject of every event about a bot user (what its delivery records are found by, for erasure). */
export const userSubject = (botUserId: string): string => `netcore:user:${botUserId}`;

export const userUpdated = defineEvent({
  type: 'netcore.user.updated',
  version: 1,
  description: 'A Netcore user was stored with newer (or the same) activity, with its details when they were fetched.',
  key: z.object({
    botUserId: z.string(),
    /** Channel id as text, or `name:<channelName>` for a channel the hub does not know. */
    channel: z.string(),
    lastInteractedAt: z.string().optional(),
  }),
  body: z.object({
    /** The user row as Netcore listed it. */
    user: z.record(z.string(), z.unknown()),
    customFields: z.record(z.string(), z.unknown()).optional(),
    tags: z.array(z.unknown()).optional(),
  }),
  href: (k) => `/netcore/users/${encodeURIComponent(k.botUserId)}`,
  subject: (k) => userSubject(k.botUserId),
});

export const messagesStored = defineEvent({
  type: 'netcore.messages.stored',
  version: 1,
  description: "A batch of a Netcore user's messages on one channel was stored (one event per page a transcripts job read).",
  key: z.object({
    botUserId: z.string(),
    channelId: z.number().int(),
    count: z.number().int().positive(),
    /** Earliest and latest `createdAt` in the batch. */
    from: z.string().optional(),
    to: z.string().optional(),
  }),
  body: z.object({
    /** Each message: its stable `key` (dedupe on it across batches), time, type, shape and the item as Netcore sent it. */
    messages: z.array(z.object({ key: z.string(), createdAt: z.string().optional(), type: z.string().optional(), shape: z.enum(['known', 'unknown']), message: z.unknown() })),
  }),
  href: (k) => `/netcore/users/${encodeURIComponent(k.botUserId)}/transcripts?channelId=${k.channelId}${k.from ? `&after=${encodeURIComponent(new Date(Date.parse(k.from) - 1).toISOString())}` : ''}`,
  subject: (k) => userSubject(k.botUserId),
});

export const events = [userUpdated, messagesStored];

/** One stored message as the batch event carries it. */
export interface BatchMessage {
  readonly key: string;
  readonly createdAt: string | undefined;
  readonly type: string | undefined;
  readonly shape: 'known' | 'unknown';
  readonly raw: unknown;
}

/** The event of one stored batch; its id names the user, the channel and the message keys. */
export function batchEvent(botUserId: string, channelId: number, messages: readonly BatchMessage[], time: string) {
  const times = messages.map((m) => m.createdAt).filter((t): t is string => typeof t === 'string').sort();
  return messagesStored.make({
    idParts: [botUserId, String(channelId), ...messages.map((m) => m.key).sort()],
    key: { botUserId, channelId, count: messages.length, ...(times[0] ? { from: times[0] } : {}), ...(times.at(-1) ? { to: times.at(-1) } : {}) },
    body: { messages: messages.map((m) => ({ key: m.key, ...(m.createdAt ? { createdAt: m.createdAt } : {}), ...(m.type ? { type: m.type } : {}), shape: m.shape, message: m.raw })) },
    time,
  });
}
