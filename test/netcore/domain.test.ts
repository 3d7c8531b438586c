import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  LoginResponse,
  UsersPage,
  earliestTranscriptStart,
  loginExpiryMs,
  monthsBefore,
  previousMonth,
  usersHasNext,
  TranscriptsPage,
  transcriptsHasNext,
  UserDetailsResponse,
} from '#netcore/domain/api.ts';
import { CHANNELS, CHANNEL_IDS, USER_CHANNEL_IDS, channelIdFromName } from '#netcore/domain/channels.ts';
import { MESSAGE_TYPES, canonicalJson, itemCreatedAt, messageKey, parseTranscriptItem } from '#netcore/domain/messages.ts';
import { SAMPLE_PAYLOADS, UNKNOWN_SAMPLE_TYPE, sampleMessage } from '#infra/local/sandboxes/netcore-samples.ts';

describe('Netcore channels', () => {
  it('names the twelve channels of the document and the four the users endpoint takes', () => {
    expect(CHANNEL_IDS).toHaveLength(12);
    expect(CHANNELS[1014]).toBe('whatsapp');
    expect(CHANNELS[1021]).toBe('instagramMessaging');
    expect([...USER_CHANNEL_IDS]).toEqual([1010, 1014, 1016, 1017]);
  });
  it('maps channel names back to ids, case-insensitively, and rejects unknown names', () => {
    expect(channelIdFromName('WhatsApp')).toBe(1014);
    expect(channelIdFromName('RCSBusinessMessages')).toBe(1015);
    expect(channelIdFromName('1016')).toBe(1016);
    expect(channelIdFromName('pigeon')).toBeUndefined();
    expect(channelIdFromName('999')).toBeUndefined();
  });
});

describe('Netcore transcript messages', () => {
  it('has a sample for every type the document lists', () => {
    expect(Object.keys(SAMPLE_PAYLOADS).sort()).toEqual([...MESSAGE_TYPES].sort());
    expect(MESSAGE_TYPES).toHaveLength(23);
  });

  it.each([...MESSAGE_TYPES])('parses a %s message as its own shape and keeps the raw item', (type) => {
    const raw = sampleMessage(type, '2026-11-01T10:00:00.000Z');
    const entry = parseTranscriptItem(raw);
    expect(entry.shape).toBe('known');
    if (entry.shape !== 'known') return;
    expect(entry.type).toBe(type);
    expect(entry.raw).toBe(raw);
    // Loose objects: the parse keeps every field the item had.
    expect(JSON.parse(JSON.stringify(entry.message))).toEqual(raw);
  });

  it('keeps a message of a type the document does not list, with its type', () => {
    const raw = sampleMessage(UNKNOWN_SAMPLE_TYPE, '2026-11-01T10:00:00.000Z');
    const entry = parseTranscriptItem(raw);
    expect(entry).toMatchObject({ shape: 'unknown', type: 'sticker', raw });
  });

  it('keeps a known type whose payload does not match, as unknown with the issues', () => {
    const raw = { type: 'location', from: 'User', location: { longitude: 72.8, latitude: 19.07 }, createdAt: '2026-11-01T10:00:00Z' };
    const entry = parseTranscriptItem(raw);
    expect(entry.shape).toBe('unknown');
    if (entry.shape === 'unknown') expect(entry.issues.join(' ')).toMatch(/location\.longitude/);
    expect(parseTranscriptItem('not an object')).toMatchObject({ shape: 'unknown', type: undefined });
    expect(parseTranscriptItem({ text: { message: 'no type' } })).toMatchObject({ shape: 'unknown', type: undefined });
  });

  it('accepts the list row description spelled with a leading space, as the document does', () => {
    const entry = parseTranscriptItem(sampleMessage('list', '2026-11-01T10:00:00Z'));
    expect(entry.shape === 'known' && entry.message.type === 'list' ? entry.message.list.actions?.sections?.[0]?.row?.[0]?.[' description'] : undefined).toBe('Rs 99');
  });

  it('reads createdAt as ISO UTC', () => {
    expect(itemCreatedAt({ createdAt: '2019-08-24T14:15:22Z' })).toBe('2019-08-24T14:15:22.000Z');
    expect(itemCreatedAt({ createdAt: 'yesterday' })).toBeUndefined();
    expect(itemCreatedAt({})).toBeUndefined();
  });
});

describe('Netcore message key', () => {
  const raw = sampleMessage('order', '2026-11-01T10:00:00.000Z');

  it('is the same for the same message re-served with another updatedAt or key order', () => {
    const reordered = Object.fromEntries(Object.entries({ ...raw, updatedAt: '2026-11-02T00:00:00Z', isPreviewUser: true }).reverse());
    expect(messageKey(reordered)).toBe(messageKey(raw));
  });

  it('differs when the content, sender or time differs', () => {
    const keys = new Set([
      messageKey(raw),
      messageKey({ ...raw, from: 'Bot' }),
      messageKey({ ...raw, createdAt: '2026-11-01T10:00:01.000Z' }),
      messageKey(sampleMessage('text', '2026-11-01T10:00:00.000Z', 'User', 'a')),
      messageKey(sampleMessage('text', '2026-11-01T10:00:00.000Z', 'User', 'b')),
    ]);
    expect(keys.size).toBe(5);
  });

  it('uses a vendor id when the item has one', () => {
    expect(messageKey({ ...raw, _id: '65f0c0ffee' })).toBe('id-65f0c0ffee');
  });

  it('does not depend on key order at any depth (property)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue()), (obj) => {
        const reversed = Object.fromEntries(Object.entries(obj).reverse());
        expect(messageKey(reversed)).toBe(messageKey(obj));
        expect(canonicalJson(JSON.parse(canonicalJson(obj)))).toBe(canonicalJson(obj));
      }),
    );
  });
});

describe('Netcore responses', () => {
  it('reads the token expiry from expireAt or expiresAt, as ISO, epoch seconds or epoch ms', () => {
    const iso = '2026-11-21T12:00:00.000Z';
    const ms = Date.parse(iso);
    expect(loginExpiryMs(LoginResponse.parse({ authToken: 't', expireAt: iso }))).toBe(ms);
    expect(loginExpiryMs(LoginResponse.parse({ authToken: 't', expiresAt: iso }))).toBe(ms);
    expect(loginExpiryMs(LoginResponse.parse({ authToken: 't', expiresAt: ms / 1000 }))).toBe(ms);
    expect(loginExpiryMs(LoginResponse.parse({ authToken: 't', expireAt: String(ms) }))).toBe(ms);
    expect(loginExpiryMs(LoginResponse.parse({ authToken: 't' }))).toBeUndefined();
    expect(LoginResponse.safeParse({ expireAt: iso }).success).toBe(false);
  });

  it('reads users with spaces in field names and hasNextPage as a number or boolean', () => {
    const sample = {
      users: [{ userId: 'u1', channelName: 'webchat', userName: 'A', createdDate: 'x', 'first interacted date': 'f', 'last interacted date': 'l' }],
      page: 1, pages: 2, total: 30, limit: 25, hasNextPage: 1,
    };
    const page = UsersPage.parse(sample);
    expect(page.users[0]?.['last interacted date']).toBe('l');
    expect(usersHasNext(page, 1, 25)).toBe(true);
    expect(usersHasNext(UsersPage.parse({ ...sample, hasNextPage: 0 }), 1, 25)).toBe(false);
    expect(usersHasNext(UsersPage.parse({ ...sample, hasNextPage: false }), 1, 25)).toBe(false);
    expect(usersHasNext(UsersPage.parse({ users: [], pages: 3 }), 2, 25)).toBe(true);
    // A row without userId is set aside, not allowed to fail the rows beside it.
    const mixed = UsersPage.parse({ ...sample, users: [...sample.users, { channelName: 'webchat' }] });
    expect(mixed.users.map((u) => u.userId)).toEqual(['u1']);
    expect(mixed.rejected).toBe(1);
    expect(mixed.rejectedIssues[0]).toMatch(/users\[1\]: userId/);
  });

  it('reads transcripts pages and their pagination', () => {
    const page = TranscriptsPage.parse({ botUser: { customFields: { a: 1 } }, transcripts: [{ type: 'x' }], paginationDetails: { page: 1, pages: 1, total: 1, limit: 50 } });
    expect(transcriptsHasNext(page, 1, 50)).toBe(false);
    expect(transcriptsHasNext(TranscriptsPage.parse({ transcripts: new Array(25).fill({}) }), 1, 25)).toBe(true);
  });

  it('reads user details bare or wrapped', () => {
    expect(UserDetailsResponse.parse({ customFields: { a: 1 }, tags: ['x'] }).tags).toEqual(['x']);
    expect(UserDetailsResponse.parse({ botUser: { customFields: { a: 2 } } }).customFields).toEqual({ a: 2 });
  });

  it('computes the 3-month limit in calendar months, clamping the day', () => {
    expect(monthsBefore(new Date('2026-05-31T10:00:00Z'), 3).toISOString()).toBe('2026-02-28T10:00:00.000Z');
    expect(monthsBefore(new Date('2026-01-15T00:00:00Z'), 3).toISOString()).toBe('2025-10-15T00:00:00.000Z');
    expect(earliestTranscriptStart(new Date('2026-01-15T00:00:00Z'), 3_600_000).toISOString()).toBe('2025-10-15T01:00:00.000Z');
    expect(previousMonth('2026-01')).toBe('2025-12');
  });
});
