import { createHash } from 'node:crypto';
import type { RecordRef } from '../identity.ts';
import * as z from '../zod.ts';

/**
 * Outbound events: one per change the hub stores, published after it is stored. Each vendor defines
 * its own types with {@link defineEvent} (in `functions/<vendor>/domain/outbound.ts`); the platform
 * owns the envelope, the ids, the size rule and the publishing.
 *
 * An event's `data` is its `key` (the ids that say what changed, always present) and its `body`
 * (what the change is). When the whole event would be over EventBridge's 256 KB entry limit, the body
 * is left out: `data` is the key plus `omitted: true` and `href`, the operator API path that serves it.
 */

/** EventBridge's limit for one PutEvents entry (and one request), in bytes. */
export const EVENTBRIDGE_ENTRY_MAX_BYTES = 256 * 1024;

/** The envelope every event travels in: EventBridge's `detail`, and the fields of a webhook delivery. */
export const HubEventEnvelope = z.object({
  /** Stable: derived from the vendor's ids and the change, so the same change published twice has the same id. */
  id: z.string().check(z.minLength(1), z.maxLength(128)),
  type: z.string().check(z.minLength(1)),
  /** Schema version of `data` (additive changes only within a version). */
  version: z.number().check(z.int(), z.positive()),
  /** When the change was stored (ISO-8601, UTC). */
  time: z.iso.datetime({ offset: true }),
  /** What the event is about, for finding every delivery of one record (`<vendor>:<kind>:<id>`). */
  subject: z.string().check(z.minLength(1)),
  data: z.record(z.string(), z.unknown()),
});
export type HubEvent = z.output<typeof HubEventEnvelope>;

/** What `data` holds in place of the body when the event is too large for EventBridge. */
export const Omitted = z.object({
  omitted: z.literal(true),
  /** Operator API path (on the hub's `ApiUrl`, with the operator token) serving the whole record. */
  href: z.string().check(z.minLength(1)),
});

/** An object schema of `key` or `body` fields: classic zod's `z.object` or zod/mini's. */
type EventObject<S extends z.core.$ZodShape> = z.core.$ZodObject<S, z.core.$strip>;
type Fields<S extends z.core.$ZodShape> = z.output<EventObject<S>>;

/** One event type of one source, versioned, with the zod schemas of its `data`. */
export interface EventDefinition<K extends z.core.$ZodShape = z.core.$ZodShape, B extends z.core.$ZodShape = z.core.$ZodShape> {
  /** `<vendor>.<noun>.<verb>`, e.g. `rungopher.result.stored`; EventBridge's `detail-type`. */
  readonly type: string;
  /** EventBridge `source`: `switchboard.<vendor>`. */
  readonly source: string;
  readonly version: number;
  readonly description: string;
  readonly key: EventObject<K>;
  readonly body: EventObject<B>;
  /** The full `data`: key and body. */
  readonly data: z.ZodMiniObject<K & B, z.core.$strip>;
  /** What subscribers may receive as `data`: the full data, or the key with {@link Omitted}. */
  readonly published: z.ZodMiniType;
  /** The operator API path serving the record when the body is left out. */
  readonly href: (key: Fields<K>) => string;
  /** `subject` of an event about this key. */
  readonly subject: (key: Fields<K>) => string;
  /**
   * Builds the event: `idParts` name the change (vendor ids, a version, an outcome). Over EventBridge's
   * 256 KB entry limit, `data` is the key with {@link Omitted}.
   */
  make(input: { readonly idParts: readonly string[]; readonly key: Fields<K>; readonly body: Fields<B>; readonly time: string }): HubEvent;
}

/**
 * Defines an event type; see {@link EventDefinition}. `key` and `body` are plain objects (unknown keys
 * stripped) of classic zod or zod/mini; `data` and `published` are zod/mini objects of their fields.
 */
export function defineEvent<K extends z.core.$ZodShape, B extends z.core.$ZodShape>(spec: {
  readonly type: string;
  readonly version: number;
  readonly description: string;
  readonly key: EventObject<K>;
  readonly body: EventObject<B>;
  readonly href: (key: Fields<K>) => string;
  readonly subject: (key: Fields<K>) => string;
}): EventDefinition<K, B> {
  if (!/^[a-z]+(\.[a-z]+){1,2}$/.test(spec.type)) throw new Error(`Event type ${spec.type}: expected <source>.<noun>.<verb> or <source>.<verb>`);
  const keyShape = spec.key._zod.def.shape;
  const data = z.object({ ...keyShape, ...spec.body._zod.def.shape }) as z.ZodMiniObject<K & B, z.core.$strip>;
  return {
    ...spec,
    source: sourceOf(spec.type),
    data,
    published: z.union([data, z.object({ ...keyShape, ...Omitted.shape })]),
    make: ({ idParts, key, body, time }) => {
      const event: HubEvent = {
        id: eventId(spec.type, idParts),
        type: spec.type,
        version: spec.version,
        time: new Date(time).toISOString(),
        subject: spec.subject(key),
        data: { ...body, ...key },
      };
      if (entryBytes(sourceOf(spec.type), spec.type, JSON.stringify(event)) <= EVENTBRIDGE_ENTRY_MAX_BYTES) return event;
      return { ...event, data: { ...key, omitted: true, href: spec.href(key) } };
    },
  };
}

/** EventBridge `source` of a type: `switchboard.` and the type's first word. */
export function sourceOf(type: string): string {
  return `switchboard.${type.split('.')[0] ?? ''}`;
}

/**
 * A stable event id: `evt_` and 32 hex digits of the SHA-256 of the type and the parts that name the
 * change. Deterministic, so a redelivery that publishes again publishes the same id, and subscribers
 * dedupe on it (it is the `webhook-id` of every delivery).
 */
export function eventId(type: string, parts: readonly string[]): string {
  const hash = createHash('sha256');
  hash.update(type);
  // Length-prefixed, so ['ab','c'] and ['a','bc'] differ.
  for (const p of parts) hash.update(`\n${Buffer.byteLength(p)}:${p}`);
  return `evt_${hash.digest('hex').slice(0, 32)}`;
}

/** Bytes EventBridge counts for an entry: Source, DetailType, Detail and Resources as UTF-8, and 14 for Time. */
export function entryBytes(source: string, detailType: string, detail: string, resources: readonly string[] = []): number {
  return Buffer.byteLength(source) + Buffer.byteLength(detailType) + Buffer.byteLength(detail) + resources.reduce((n, r) => n + Buffer.byteLength(r), 0) + 14;
}

/**
 * Every delivery record of the events about one subject (table `outbound-deliveries`, index
 * `bySubject`): what a vendor's customer link names in `also`, so erasing a record erases the
 * delivery records that keep its subject, and the export shows them.
 */
export function deliveryRecords(subject: string): RecordRef {
  return { table: 'outbound-deliveries', scope: 'index', index: 'bySubject', key: { subject }, tableKey: ['subscriptionId', 'eventId'] };
}
