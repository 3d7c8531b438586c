import { Webhook } from 'standardwebhooks';
import type { HubEvent } from './event.ts';
import { retryDelaySeconds, type RetryPolicy } from './retry.ts';

/**
 * One delivery of one event to one subscription, as the Standard Webhooks specification has it:
 * `POST` of `{ "type", "timestamp", "data" }` with `webhook-id` (the event's stable id, the same on
 * every attempt, so the subscriber dedupes on it), `webhook-timestamp` (seconds) and
 * `webhook-signature` (`v1,<base64 HMAC-SHA256>` per secret, space-separated, so a secret can be
 * rotated without a gap). Signed with the `standardwebhooks` library.
 */

/** What the subscriber answered, or how the request failed. */
export type PostOutcome =
  | { readonly kind: 'answered'; readonly status: number; readonly retryAfter?: string | null }
  | { readonly kind: 'failed'; readonly error: 'timeout' | 'network' | 'address-refused'; readonly message: string };

/** Port: one HTTP POST, no redirects followed. */
export type PostWebhook = (url: string, body: string, headers: Readonly<Record<string, string>>, timeoutMs: number) => Promise<PostOutcome>;

export type DeliveryOutcome =
  | { readonly result: 'delivered'; readonly status: number }
  | { readonly result: 'retry'; readonly status: string; readonly delaySeconds: number }
  /** 4xx other than 408/429 (and redirects, and addresses refused): retrying would not help. */
  | { readonly result: 'rejected'; readonly status: string };

/** The body of a delivery: exactly the three fields of the specification. */
export function webhookBody(event: HubEvent): string {
  return JSON.stringify({ type: event.type, timestamp: event.time, data: event.data });
}

/** The three signature headers, one `v1,` signature per secret. */
export function signatureHeaders(event: Pick<HubEvent, 'id'>, body: string, secrets: readonly string[], at: Date): Record<string, string> {
  if (!secrets.length) throw new Error('No signing secret');
  const signature = secrets.map((s) => new Webhook(s).sign(event.id, at, body)).join(' ');
  return { 'webhook-id': event.id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': signature };
}

/** Parses Retry-After (seconds or an HTTP date) into seconds. */
function retryAfterSeconds(value: string | null | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - now) / 1000);
}

/** Whether a status is worth retrying: 408, 429 and 5xx. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** Sends one event and says what happened; never throws for what the subscriber did. */
export async function deliverEvent(
  input: { readonly event: HubEvent; readonly url: string; readonly secrets: readonly string[]; readonly receiveCount: number },
  ports: { readonly post: PostWebhook; readonly retry: RetryPolicy; readonly timeoutMs: number; readonly now?: () => Date; readonly random?: () => number },
): Promise<DeliveryOutcome> {
  const at = ports.now?.() ?? new Date();
  const body = webhookBody(input.event);
  const headers = { 'content-type': 'application/json', 'user-agent': 'Switchboard-Webhooks/1', ...signatureHeaders(input.event, body, input.secrets, at) };
  const out = await ports.post(input.url, body, headers, ports.timeoutMs);
  if (out.kind === 'failed') {
    if (out.error === 'address-refused') return { result: 'rejected', status: out.error };
    return { result: 'retry', status: out.error, delaySeconds: retryDelaySeconds(input.receiveCount, ports.retry, undefined, ports.random) };
  }
  if (out.status >= 200 && out.status < 300) return { result: 'delivered', status: out.status };
  if (isRetryableStatus(out.status)) {
    return { result: 'retry', status: String(out.status), delaySeconds: retryDelaySeconds(input.receiveCount, ports.retry, retryAfterSeconds(out.retryAfter, at.getTime()), ports.random) };
  }
  return { result: 'rejected', status: String(out.status) };
}
