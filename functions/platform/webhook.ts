import type { HttpEvent, HttpResult } from './http.ts';
import { constantTimeEqual, httpHandler, json, rawBody } from './http.ts';
import { PayloadTooLargeError, UnauthorizedError } from './errors.ts';
import { queueUrl, secretValue, tableName } from './config.ts';
import { WEBHOOK_MAX_BODY_BYTES } from './limits.ts';
import { count, logger } from './observability.ts';
import { EVENT_BUS_ENV } from './outbound/bus.ts';
import { announcingQuarantine, dynamoQuarantine, type Quarantine, type QuarantineNoticeMessage } from './quarantine.ts';
import { recordWebhookSeen } from './runs.ts';
import { sqsEnvelopeQueue, sqsJsonQueue, type EnvelopeQueue } from './queue.ts';

/** One webhook request as the kit hands it to a vendor's authenticator: the event and its exact bytes. */
export interface WebhookRequest {
  readonly event: HttpEvent;
  /** The raw body, base64-decoded when API Gateway says so. */
  readonly body: Buffer;
}

/** Checks who sent a webhook, on the raw bytes; throws {@link UnauthorizedError} (401) to refuse it. */
export type WebhookAuthenticator = (request: WebhookRequest) => Promise<void> | void;

/**
 * A vendor's reading of a body (UTF-8 text). `ids` are the vendor's own ids, logged and answered;
 * `value` is what it read, handed to the storability check so the body is parsed once. A body that
 * does not read is quarantined with its `reason` and answered 200.
 */
export type WebhookParser<T = unknown> = (text: string) => { readonly ok: true; readonly ids: Readonly<Record<string, string>>; readonly value?: T } | { readonly ok: false; readonly reason: string };

/** What a vendor supplies to {@link webhookHandler}; the kit owns the order. */
export interface WebhookSpec<T = unknown> {
  readonly vendor: string;
  readonly authenticate: WebhookAuthenticator;
  readonly parse: WebhookParser<T>;
  /** The declared queue the accepted body is sent to (its URL from `QUEUE_<NAME>_URL`). */
  readonly queue: string;
  /** Metric names, as the function's topology declaration lists them. */
  readonly metrics: {
    readonly accepted: string;
    /** Counted once per distinct body, however often the vendor resends it. */
    readonly quarantined: string;
    /** A refused token or signature, and an oversized body. */
    readonly rejected?: string;
    /** An oversized body, once per distinct body. */
    readonly oversized?: string;
  };
  /** @default WEBHOOK_MAX_BODY_BYTES */
  readonly maxBodyBytes?: number;
  /**
   * Why a body that reads cannot be stored by its processor (the items it will write, checked with
   * `storable.ts`), or undefined when it can. What it refuses is quarantined with the reason and
   * answered 200, never queued to fail in a DLQ. @default every body that reads is storable
   */
  readonly storable?: WebhookStorability<T>;
}

/**
 * A vendor's storability check of a body that passed {@link WebhookParser}, given the body and the
 * parser's `value`: the reason it cannot be stored, or undefined.
 */
export type WebhookStorability<T = unknown> = (text: string, value: T | undefined) => string | undefined;

/** The adapters a webhook uses; tests may pass their own. */
export interface WebhookPorts {
  readonly queue: EnvelopeQueue;
  readonly quarantine: Quarantine;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A vendor webhook as a Lambda: authenticate on the raw bytes -> size limit -> read -> storability,
 * or quarantine -> enqueue -> 200. It answers 200 only once the body is durably queued (or, authentic
 * but unreadable or unstorable, quarantined with the reason); if queueing fails the answer is a 5xx so the vendor resends. An oversized
 * authentic body is kept truncated in quarantine (once) and answered 413.
 */
export function webhookHandler<T>(spec: WebhookSpec<T>, ports?: () => WebhookPorts) {
  let made: WebhookPorts | undefined;
  const portsOf = (): WebhookPorts => (made ??= ports?.() ?? { queue: sqsEnvelopeQueue(queueUrl(spec.queue)), quarantine: webhookQuarantine(tableName('quarantine'), queueUrl(spec.queue)) });
  return httpHandler((event) => acceptWebhook(spec, portsOf(), event));
}

/**
 * A webhook's quarantine: the table, and when the function publishes (`HUB_EVENT_BUS`: its topology
 * lists `hub.quarantined`) the notice of each put sent on the webhook's own queue, after the item is
 * written and before the answer, whose consumer publishes the `hub.quarantined` event (`queueConsumer`).
 * So the webhook needs no EventBridge client, which would load on every cold start for a rare path;
 * a notice SQS refuses fails the put, and the 5xx makes the vendor resend, as a refused PutEvents did.
 */
function webhookQuarantine(table: string, queue: string): Quarantine {
  const store = dynamoQuarantine(table);
  if (!process.env[EVENT_BUS_ENV]) return store;
  const notices = sqsJsonQueue<QuarantineNoticeMessage>(queue, (m) => ({ vendor: m.hubQuarantined.vendor }));
  return announcingQuarantine(store, (notice) => notices.send({ hubQuarantined: notice }));
}

async function acceptWebhook<T>(spec: WebhookSpec<T>, ports: WebhookPorts, event: HttpEvent): Promise<HttpResult> {
  const body = rawBody(event);
  const requestId = event.requestContext?.requestId ?? 'unknown';
  const receivedAt = new Date(event.requestContext?.timeEpoch || Date.now()).toISOString();
  const keep = (reason: string) => ports.quarantine.put({ vendor: spec.vendor, reason, body, requestId, receivedAt, stage: 'webhook', retry: { queue: spec.queue, as: 'envelope' } });
  try {
    await spec.authenticate({ event, body });
  } catch (err) {
    if (err instanceof UnauthorizedError && spec.metrics.rejected) count(spec.metrics.rejected);
    throw err;
  }
  const max = spec.maxBodyBytes ?? WEBHOOK_MAX_BODY_BYTES;
  if (body.length > max) {
    // Authentic, so a truncated copy with its length and digest is kept for a person (once, however
    // often it is resent) before the 413.
    const kept = await keep(`body of ${body.length} bytes is over the ${max}-byte limit`);
    if (spec.metrics.rejected) count(spec.metrics.rejected);
    if (kept.created && spec.metrics.oversized) count(spec.metrics.oversized);
    logger.warn('Webhook too large', { vendor: spec.vendor, quarantineId: kept.id, bytes: body.length });
    throw new PayloadTooLargeError(`Body is ${body.length} bytes; the limit is ${max}`);
  }
  let text: string | undefined;
  try {
    text = utf8.decode(body);
  } catch {
    text = undefined;
  }
  const read = text === undefined ? { ok: false as const, reason: 'body is not UTF-8 text' } : spec.parse(text);
  const unstorable = read.ok && text !== undefined ? storabilityOf(spec.storable, text, read.value) : undefined;
  const parsed = unstorable === undefined ? read : { ok: false as const, reason: `cannot be stored: ${unstorable}` };
  if (!parsed.ok || text === undefined) {
    const reason = parsed.ok ? 'body is not UTF-8 text' : parsed.reason;
    const kept = await keep(reason);
    // A resend of a body already kept is not news: counted (and alarmed on) once per distinct body.
    if (kept.created) count(spec.metrics.quarantined);
    logger.warn('Webhook quarantined', { vendor: spec.vendor, quarantineId: kept.id, reason, created: kept.created });
    return json(200, { status: 'quarantined', quarantineId: kept.id });
  }
  const messageId = await ports.queue.send({ vendor: spec.vendor, requestId, receivedAt, body: text, source: 'webhook' });
  count(spec.metrics.accepted);
  // For GET /status (best effort, at most once a minute, never throws). Only after the send: a webhook
  // answered 5xx was not accepted, and during an SQS outage the status must not say webhooks flow.
  if (process.env.TABLE_RUNS) await recordWebhookSeen(process.env.TABLE_RUNS, spec.vendor);
  logger.info('Webhook queued', { vendor: spec.vendor, messageId, ...parsed.ids });
  return json(200, { status: 'queued', ...parsed.ids });
}

/** A vendor's verdict; a check that throws is a verdict too (quarantined, not a 5xx the vendor resends forever). */
function storabilityOf<T>(check: WebhookStorability<T> | undefined, text: string, value: T | undefined): string | undefined {
  try {
    return check?.(text, value);
  } catch (err) {
    return `the storability check failed: ${err instanceof Error ? err.message : String(err)}`;
  }
}

/**
 * Authenticates by a secret path segment (`{token}`), compared in constant time with key `key` of
 * secret `secret`: for vendors that cannot sign (Rungopher).
 */
export function pathToken(secret: string, key: string, param = 'token'): WebhookAuthenticator {
  return async ({ event }) => {
    const expected = await secretValue(secret, key);
    if (!constantTimeEqual(event.pathParameters?.[param] ?? '', expected)) throw new UnauthorizedError('Unknown webhook token');
  };
}
