import * as z from 'zod';

/**
 * Netcore channel ids, as the Bot Open API names them. The transcripts endpoint accepts all twelve;
 * the users endpoint only the four in {@link USER_CHANNEL_IDS}.
 */
export const CHANNELS = {
  1010: 'webchat',
  1011: 'workflow',
  1012: 'googleBusinessMessages',
  1013: 'general',
  1014: 'whatsapp',
  1015: 'RCSBusinessMessages',
  1016: 'telegram',
  1017: 'facebook',
  1018: 'sms',
  1019: 'hangoutsChat',
  1020: 'google',
  1021: 'instagramMessaging',
} as const;

export type ChannelId = keyof typeof CHANNELS;
export type ChannelName = (typeof CHANNELS)[ChannelId];

/** Every channel id, ascending. */
export const CHANNEL_IDS = Object.keys(CHANNELS).map(Number) as ChannelId[];

/** Channels the users endpoint accepts in `channelIds` (anything else is a 400 there). */
export const USER_CHANNEL_IDS = [1010, 1014, 1016, 1017] as const satisfies readonly ChannelId[];
export type UserChannelId = (typeof USER_CHANNEL_IDS)[number];

/** A channel id, from a number or a numeric string (query strings, env lists). */
export const ChannelIdSchema = z.coerce
  .number()
  .int()
  .refine((n): n is ChannelId => n in CHANNELS, { message: `channelId must be one of ${CHANNEL_IDS.join(', ')}` })
  .transform((n) => n as ChannelId);

/** A channel id the users endpoint accepts. */
export const UserChannelIdSchema = z.coerce
  .number()
  .int()
  .refine((n): n is UserChannelId => (USER_CHANNEL_IDS as readonly number[]).includes(n), {
    message: `channelId must be one of ${USER_CHANNEL_IDS.join(', ')}`,
  })
  .transform((n) => n as UserChannelId);

/** True for a known channel id. */
export function isChannelId(n: number): n is ChannelId {
  return n in CHANNELS;
}

const BY_NAME = new Map<string, ChannelId>(CHANNEL_IDS.map((id) => [CHANNELS[id].toLowerCase(), id]));

/**
 * The channel id for a `channelName` as the users endpoint returns it (`"whatsapp"`), case-insensitive;
 * a numeric name is taken as an id. Undefined when the name is not one the document lists.
 */
export function channelIdFromName(name: string | null | undefined): ChannelId | undefined {
  if (!name) return undefined;
  const trimmed = name.trim();
  if (/^\d+$/.test(trimmed)) {
    const n = Number(trimmed);
    return isChannelId(n) ? n : undefined;
  }
  return BY_NAME.get(trimmed.toLowerCase());
}
