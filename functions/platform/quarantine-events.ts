import { JsonString } from './json.ts';
import { EVENT_BUS_ENV } from './outbound/bus.ts';
import type { HubEvent } from './outbound/event.ts';
import { quarantined } from './outbound/hub-events.ts';
import { eventPublisher, type EventPublisher } from './outbound/publisher.ts';
import { announcingQuarantine, dynamoQuarantine, type Quarantine, type QuarantineNotice } from './quarantine.ts';
import * as z from './zod.ts';

/**
 * The `hub.quarantined` announcements: the event of a put, published by the function that quarantines
 * when it has the EventBridge client (processors, pollers), or by the consumer of a webhook's queue for
 * the webhook (which sends the notice there: see `webhook.ts`), so the webhooks' bundles carry no
 * EventBridge client for a rare path.
 */

/** The `hub.quarantined` event of a put. Never the body: it may hold personal data. */
export function quarantinedEvent(notice: QuarantineNotice): HubEvent {
  return quarantined.make({
    idParts: [notice.quarantineId],
    key: { quarantineId: notice.quarantineId },
    body: { vendor: notice.vendor, stage: notice.stage, reason: notice.reason, receivedAt: notice.receivedAt, bodyBytes: notice.bodyBytes },
    time: notice.time,
  });
}

/**
 * A quarantine that announces each put as a `hub.quarantined` event, after the item is written, on
 * every put (also of a body kept before: the earlier put may have died before publishing; the event id
 * is the same, so subscribers see it once).
 */
export function publishingQuarantine(inner: Quarantine, publisher: EventPublisher, now: () => Date = () => new Date()): Quarantine {
  return announcingQuarantine(inner, (notice) => publisher.publish([quarantinedEvent(notice)]), now);
}

/**
 * The quarantine of a function: the table, announcing each put when the function publishes events
 * (its topology declaration lists `hub.quarantined`, which gives it `HUB_EVENT_BUS`).
 */
export function hubQuarantine(table: string): Quarantine {
  const store = dynamoQuarantine(table);
  return process.env[EVENT_BUS_ENV] ? publishingQuarantine(store, eventPublisher()) : store;
}

/** A notice as a queue message; built on first use: a consumer that never meets a foreign record never builds it. */
let noticeMessage: ReturnType<typeof noticeMessageSchema> | undefined;
function noticeMessageSchema() {
  // Only a webhook sends notices, and only for its own quarantine items (`<vendor>#webhook#<sha-256>`).
  const notice = z.object({
    quarantineId: z.string().check(z.regex(/^[a-z0-9-]+#webhook#[0-9a-f]{64}$/)),
    vendor: z.string(),
    stage: z.literal('webhook'),
    reason: z.string(),
    receivedAt: z.string(),
    bodyBytes: z.number().check(z.int(), z.nonnegative()),
    time: z.iso.datetime({ offset: true }),
  });
  return JsonString(z.object({ hubQuarantined: notice }));
}

/**
 * The notice a queue message holds (a `QuarantineNoticeMessage`) of `vendor`'s webhook, or undefined
 * when it holds none: anything else (another vendor's, a processor's, a malformed one) is a foreign
 * record to its consumer, quarantined and kept, and a retry of it from the quarantine after a fix
 * publishes.
 */
export function parseQuarantineNotice(text: string, vendor: string): QuarantineNotice | undefined {
  const parsed = z.safeParse((noticeMessage ??= noticeMessageSchema()), text);
  if (!parsed.success) return undefined;
  const notice = parsed.data.hubQuarantined;
  return notice.vendor === vendor && notice.quarantineId.startsWith(`${vendor}#webhook#`) ? notice : undefined;
}

/**
 * Publishes the event of a notice a webhook queued, with this function's publisher (it must publish
 * `hub.quarantined`: without `HUB_EVENT_BUS` it throws, and the record is retried, then kept in the DLQ).
 */
export function publishQuarantineNotice(notice: QuarantineNotice, publisher: EventPublisher = eventPublisher()): Promise<void> {
  return publisher.publish([quarantinedEvent(notice)]);
}
