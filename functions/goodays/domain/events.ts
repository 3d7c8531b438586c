import { createHash } from 'node:crypto';
import { parseJson } from '#platform/json.ts';
import * as z from '#platform/zod.ts';

/**
 * Goodays Converse webhook events. Goodays documents three event types (`response`, `message`,
 * `delegated`) whose payload is the whole response (the thread) plus, for `message`, the new private
 * message. Schemas are loose on purpose: Goodays adds fields per customer configuration (`context`,
 * `extra`), and what we do not know we keep as it came.
 */

/**
 * A Goodays response id as it may appear in a URL path. The documented ids are 10-11 characters of
 * base62 (`vdOpL1NJ74l`); the hub builds action URLs from this value, so nothing that could change
 * the path (`/`, `.`, `%`, `?`) gets through.
 */
export const ResponseId = z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, 'a Goodays response id is 1-64 letters, digits, _ or -'));
export type ResponseId = z.output<typeof ResponseId>;

/** The five actions Goodays accepts on a response. */
export const ACTION_KINDS = ['reply', 'message', 'call', 'close', 'spam'] as const;
export const ActionKind = z.enum(ACTION_KINDS);
export type ActionKind = z.output<typeof ActionKind>;

/** Actions that process the response itself (as opposed to answering a private message). */
export const PROCESSING_ACTIONS: readonly ActionKind[] = ['reply', 'call', 'close', 'spam'];

const Person = z.looseObject({
  email: z.nullish(z.string()),
  first_name: z.nullish(z.string()),
  last_name: z.nullish(z.string()),
});

/** One message in a thread: the customer's verbatim, a reply, or a private message. */
export const GoodaysMessage = z.looseObject({
  id: z.string().check(z.minLength(1)),
  created_date: z.nullish(z.string()),
  type: z.nullish(z.string()),
  content: z.nullish(z.string()),
  attachment: z.optional(z.unknown()),
  sender: z.nullish(Person),
});
export type GoodaysMessage = z.output<typeof GoodaysMessage>;

const Place = z.looseObject({
  id: z.nullish(z.string()),
  partner_id: z.nullish(z.string()),
  name: z.nullish(z.string()),
  enabled: z.nullish(z.boolean()),
  detail_url: z.nullish(z.string()),
});

/** The response (thread) snapshot carried by every event. */
export const GoodaysResponse = z.looseObject({
  id: ResponseId,
  token: z.nullish(z.string()),
  created_date: z.nullish(z.string()),
  updated_date: z.nullish(z.string()),
  source: z.nullish(z.string()),
  survey: z.nullish(z.looseObject({})),
  answers: z.nullish(z.array(z.unknown())),
  message: z.nullish(GoodaysMessage),
  reply: z.nullish(GoodaysMessage),
  user: z.nullish(z.looseObject({})),
  context: z.nullish(z.looseObject({})),
  place: z.nullish(Place),
  delegated_to: z.nullish(Place),
  attached_messages: z.nullish(z.array(GoodaysMessage)),
  state: z.nullish(z.string()),
  thread: z.nullish(z.string()),
  /** Action name -> URL. The URLs are never used: they disagree with the documented paths. */
  actions: z.nullish(z.record(z.string(), z.unknown())),
  alert_triggered: z.nullish(z.boolean()),
});
export type GoodaysResponse = z.output<typeof GoodaysResponse>;

export const KNOWN_EVENT_TYPES = ['response', 'message', 'delegated'] as const;
export type KnownEventType = (typeof KNOWN_EVENT_TYPES)[number];

/** A documented event. */
export const GoodaysEvent = z.looseObject({
  event_type: z.enum(KNOWN_EVENT_TYPES),
  response: GoodaysResponse,
  /** The new private message (`message` events only). */
  message: z.nullish(GoodaysMessage),
});
export type GoodaysEvent = z.output<typeof GoodaysEvent>;

/** The least an event of a type we do not know must have to be kept: a JSON object with a type. */
const UnknownEventShape = z.looseObject({
  event_type: z.string().check(z.minLength(1), z.maxLength(100)),
  response: z.nullish(z.looseObject({ id: z.optional(z.unknown()) })),
});

/** The result of reading one webhook body. */
export type ParsedEvent =
  | { readonly kind: 'known'; readonly event: GoodaysEvent; readonly eventKey: string; readonly responseId: string }
  | { readonly kind: 'unknown'; readonly eventType: string; readonly eventKey: string; readonly responseId: string; readonly json: unknown }
  | { readonly kind: 'invalid'; readonly reason: string };

/** Partition used for events of an unknown type that name no usable response id. */
export const NO_RESPONSE_ID = '_none';

/**
 * Reads a webhook body (already authenticated). Never throws. Documented types must match their
 * schema; other types are kept as they are (`unknown`); anything that is not a JSON object with an
 * `event_type` is `invalid` (to be quarantined).
 */
export function parseEventBody(body: string): ParsedEvent {
  const parsed = parseJson(body);
  if (!parsed.ok) return { kind: 'invalid', reason: parsed.reason };
  const json = parsed.value;
  const shape = UnknownEventShape.safeParse(json);
  if (!shape.success) return { kind: 'invalid', reason: `not a Goodays event: ${issuesText(shape.error)}` };
  const eventType = shape.data.event_type;
  if ((KNOWN_EVENT_TYPES as readonly string[]).includes(eventType)) {
    const known = GoodaysEvent.safeParse(json);
    if (!known.success) return { kind: 'invalid', reason: `${eventType} event does not match the documented shape: ${issuesText(known.error)}` };
    const event = known.data;
    return { kind: 'known', event, responseId: event.response.id, eventKey: eventKeyOf(event.event_type, messageIdOf(event)) };
  }
  const rid = ResponseId.safeParse(shape.data.response?.id);
  const responseId = rid.success ? rid.data : NO_RESPONSE_ID;
  // No documented message id to use: the content itself identifies the event.
  const digest = createHash('sha256').update(body, 'utf8').digest('hex').slice(0, 32);
  return { kind: 'unknown', eventType, responseId, eventKey: eventKeyOf(eventType, `sha256:${digest}`), json };
}

/**
 * The webhook's reading of a body (the kit's parser): the event type and response id of an event the
 * processor can store (documented or not), else why it is to be quarantined. Cheap on purpose: the
 * processor reads it again in full.
 */
export function readWebhookBody(body: string): { readonly ok: true; readonly ids: { readonly eventType: string; readonly responseId: string } } | { readonly ok: false; readonly reason: string } {
  const parsed = parseEventBody(body);
  if (parsed.kind === 'invalid') return { ok: false, reason: parsed.reason };
  return { ok: true, ids: { eventType: parsed.kind === 'known' ? parsed.event.event_type : parsed.eventType, responseId: parsed.responseId } };
}

/**
 * The message that makes an event distinct: the new private message for `message` events, else the
 * response's own verbatim. With the event type and response id it is the dedupe key Goodays leaves us
 * (events carry no id of their own).
 */
export function messageIdOf(event: GoodaysEvent): string {
  return event.message?.id ?? event.response.message?.id ?? '-';
}

/** The sort key of an event within its response: `<event type>#<message id>`. */
export function eventKeyOf(eventType: string, messageId: string): string {
  return `${eventType}#${messageId}`;
}

/** The composite dedupe key (event type, response id, message id) as one string, for logs and metrics. */
export function dedupeKey(eventType: string, responseId: string, messageId: string): string {
  return `${eventType}#${responseId}#${messageId}`;
}

function issuesText(error: z.core.$ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}
