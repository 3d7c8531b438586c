import { identifiersOf, vendorId, type CustomerLink, type RecordRef } from '#platform/identity.ts';
import { deliveryRecords } from '#platform/outbound/event.ts';
import { NO_RESPONSE_ID, parseEventBody, type GoodaysEvent } from './events.ts';
import { responseSubject } from './outbound.ts';

/**
 * What Goodays contributes to the customer index: every event is linked under its response id and
 * the end customer's e-mail addresses and phone numbers it carries (`response.user`, `response.context`,
 * the sender of the customer's verbatim and of a private message). Senders of replies and of the
 * attached messages are left out: they can be the customer service's own people. Goodays' user
 * objects carry no id of their own in the documented payloads, so the response is the vendor id.
 */

/** The index key of a Goodays response. */
export const responseIdentifier = (responseId: string): string => vendorId('goodays', 'response', responseId);

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

function isoOr(value: unknown, fallback: string): string {
  const t = typeof value === 'string' ? Date.parse(value) : NaN;
  return Number.isNaN(t) ? fallback : new Date(t).toISOString();
}

/** The customer's phone numbers and e-mail addresses an event carries. */
export function customerContacts(event: GoodaysEvent): { phones: unknown[]; emails: unknown[] } {
  const r = event.response;
  const people = [obj(r.user), obj(r.context), obj(r.message?.sender), ...(event.event_type === 'message' ? [obj(event.message?.sender)] : [])];
  return {
    emails: people.map((p) => p.email),
    phones: people.flatMap((p) => [p.phone, p.mobile, p.phone_number, p.mobile_phone]),
  };
}

/** Claims an action on the response may hold (`claim#<response>#<key>` in the actions table). */
function claimRefs(responseId: string, event: GoodaysEvent | undefined): RecordRef[] {
  const messageIds = event ? [event.message?.id, event.response.message?.id, ...(event.response.attached_messages ?? []).map((m) => m.id)].map(str).filter((x): x is string => x !== undefined) : [];
  return ['processed', 'message:-', ...messageIds.map((id) => `message:${id}`)].map((k) => ({ table: 'goodays-actions', scope: 'item', key: { actionId: `claim#${responseId}#${k}` } }));
}

/**
 * The index link of a stored event (`goodays-events` item): the event, with its response's thread,
 * actions and claims, and the outbound delivery records of the response's events.
 */
export function eventLinks(stored: { readonly responseId: string; readonly eventKey: string; readonly eventType: string; readonly body: string; readonly receivedAt: string }): CustomerLink[] {
  if (stored.responseId === NO_RESPONSE_ID) return [];
  const parsed = parseEventBody(stored.body);
  const event = parsed.kind === 'known' ? parsed.event : undefined;
  const contacts = event ? customerContacts(event) : { phones: [], emails: [] };
  const r = event?.response;
  const when = event?.event_type === 'message' ? event.message?.created_date : event?.event_type === 'response' ? (r?.message?.created_date ?? r?.created_date) : r?.updated_date;
  return [
    {
      vendor: 'goodays',
      kind: 'feedback',
      label: stored.eventType,
      at: isoOr(when, isoOr(stored.receivedAt, stored.receivedAt)),
      path: `/goodays/responses/${encodeURIComponent(stored.responseId)}`,
      identifiers: [responseIdentifier(stored.responseId), ...identifiersOf(contacts)],
      ref: { table: 'goodays-events', scope: 'item', key: { responseId: stored.responseId, eventKey: stored.eventKey } },
      also: [
        { table: 'goodays-threads', scope: 'item', key: { responseId: stored.responseId } },
        { table: 'goodays-actions', scope: 'index', index: 'byResponse', key: { responseId: stored.responseId }, tableKey: ['actionId'] },
        ...claimRefs(stored.responseId, event),
        // The outbound deliveries of the response's events (their records keep its id as subject).
        deliveryRecords(responseSubject(stored.responseId)),
      ],
    },
  ];
}

/** Links of the items of each Goodays table, for the index backfill: every stored event. */
export const backfillLinks: Readonly<Record<string, (item: Record<string, unknown>) => CustomerLink[]>> = {
  'goodays-events': (item) =>
    typeof item.responseId === 'string' && typeof item.eventKey === 'string' && typeof item.body === 'string'
      ? eventLinks({ responseId: item.responseId, eventKey: item.eventKey, eventType: String(item.eventType ?? ''), body: item.body, receivedAt: String(item.receivedAt ?? '') })
      : [],
};
