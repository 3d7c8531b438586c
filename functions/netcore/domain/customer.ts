import { identifiersOf, vendorId, type CustomerLink } from '#platform/identity.ts';
import { deliveryRecords } from '#platform/outbound/event.ts';
import { userSubject } from './outbound.ts';

/**
 * What Netcore contributes to the customer index: a bot user is linked under its `botUserId` on its
 * channel (the vendor id), under its phone number when the `botUserId` is one (WhatsApp and SMS users
 * are their phone numbers, `+919876543210`), and under the phone numbers and e-mail addresses in its
 * custom fields (fields whose names say `phone`, `mobile` or `mail`). A user's messages on a channel
 * are one link (the timeline shows the conversation, its time the newest message).
 */

/** Channels whose `botUserId` is the user's phone number (1014 WhatsApp, 1018 SMS). */
const PHONE_CHANNELS = new Set(['1014', '1018']);

/** The index key of a Netcore bot user on a channel. */
export const botUserIdentifier = (botUserId: string, channel: string): string => vendorId('netcore', 'user', `${channel}:${botUserId}`);

/** Phones and e-mails of a user's custom fields, by field name. */
function fromFields(fields: unknown): { phones: unknown[]; emails: unknown[] } {
  const phones: unknown[] = [];
  const emails: unknown[] = [];
  if (fields && typeof fields === 'object' && !Array.isArray(fields)) {
    for (const [k, v] of Object.entries(fields)) {
      if (/mail/i.test(k)) emails.push(v);
      else if (/phone|mobile|msisdn|whatsapp/i.test(k)) phones.push(v);
    }
  }
  return { phones, emails };
}

/** The identifiers of a bot user: its id on the channel, its phone when its id is one, its custom fields' contacts. */
export function botUserIdentifiers(botUserId: string, channel: string, ...fieldSets: unknown[]): string[] {
  const phones: unknown[] = PHONE_CHANNELS.has(channel) || /^\+\d{8,15}$/.test(botUserId) ? [botUserId] : [];
  const emails: unknown[] = [];
  for (const f of fieldSets) {
    const c = fromFields(f);
    phones.push(...c.phones);
    emails.push(...c.emails);
  }
  return [botUserIdentifier(botUserId, channel), ...identifiersOf({ phones, emails })];
}

const userPath = (botUserId: string): string => `/netcore/users/${encodeURIComponent(botUserId)}`;

/** The index link of a stored user row (`netcore-users` item), with what its details and custom fields carry. */
export function userLinks(user: { readonly botUserId: string; readonly channel: string; readonly at: string }, ...fieldSets: unknown[]): CustomerLink[] {
  return [
    {
      vendor: 'netcore',
      kind: 'chatbot-user',
      label: user.channel,
      at: user.at,
      path: userPath(user.botUserId),
      identifiers: botUserIdentifiers(user.botUserId, user.channel, ...fieldSets),
      ref: { table: 'netcore-users', scope: 'item', key: { botUserId: user.botUserId, channel: user.channel } },
      // The outbound deliveries of the user's events (their records keep the botUserId as subject).
      also: [deliveryRecords(userSubject(user.botUserId))],
    },
  ];
}

/** The index link of a user's stored messages on one channel; `at` is the newest message's time. */
export function transcriptLinks(botUserId: string, channel: string, at: string, ...fieldSets: unknown[]): CustomerLink[] {
  return [
    {
      vendor: 'netcore',
      kind: 'chatbot-transcript',
      label: channel,
      at,
      path: `${userPath(botUserId)}/transcripts?channelId=${encodeURIComponent(channel)}`,
      identifiers: botUserIdentifiers(botUserId, channel, ...fieldSets),
      ref: { table: 'netcore-transcripts', scope: 'index', index: 'byUserChannel', key: { userChannel: `${botUserId}#${channel}` }, tableKey: ['botUserId', 'sortKey'] },
      also: [deliveryRecords(userSubject(botUserId))],
    },
  ];
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Links of the items of each Netcore table, for the index backfill: user rows and messages. */
export const backfillLinks: Readonly<Record<string, (item: Record<string, unknown>) => CustomerLink[]>> = {
  'netcore-users': (item) => {
    const botUserId = text(item.botUserId);
    const channel = text(item.channel);
    if (!botUserId || !channel) return [];
    return userLinks({ botUserId, channel, at: text(item.lastInteractedAt) ?? text(item.seenAt) ?? '' }, item.customFields, item.botUserCustomFields);
  },
  'netcore-transcripts': (item) => {
    const botUserId = text(item.botUserId);
    const channel = text(item.channel);
    if (!botUserId || !channel) return [];
    return transcriptLinks(botUserId, channel, text(item.createdAt) ?? text(item.storedAt) ?? '');
  },
};
