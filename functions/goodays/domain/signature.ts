import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Goodays webhook signatures: `X-HMAC-SHA256` is the hex HMAC-SHA256 of the exact request body under a
 * secret agreed with Goodays. There is no timestamp and no event id, so a captured request can be
 * replayed; storage is idempotent, which makes a replay harmless.
 */

/** The header name as API Gateway passes it (lower case). */
export const SIGNATURE_HEADER = 'x-hmac-sha256';

const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;

/** Hex HMAC-SHA256 of `body` under `secret`. */
export function sign(body: Uint8Array | string, secret: string): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

/** Splits `GOODAYS_HMAC_SECRETS` (comma-separated, so that one can be rotated without downtime). */
export function parseSecrets(value: string | undefined): string[] {
  if (!value) return [];
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/**
 * True when `header` is the signature of `body` under any of `secrets`. Timing-safe: every secret is
 * tried whatever the outcome, and digests are compared with `timingSafeEqual`. Never throws: a
 * missing, empty, repeated or malformed header, or no secret at all, is simply false.
 */
export function verifySignature(body: Uint8Array, header: unknown, secrets: readonly string[]): boolean {
  try {
    if (typeof header !== 'string') return false;
    const value = header.trim();
    if (!HEX_SHA256.test(value)) return false;
    const given = Buffer.from(value, 'hex');
    let ok = false;
    for (const secret of secrets) {
      if (typeof secret !== 'string' || secret.length === 0) continue;
      const expected = createHmac('sha256', secret).update(body).digest();
      // No early exit: the time taken does not say which secret matched.
      ok = timingSafeEqual(given, expected) || ok;
    }
    return ok;
  } catch {
    return false;
  }
}

/** The outcome of authenticating one webhook request. */
export type WebhookAuth = { readonly ok: true; readonly signed: boolean } | { readonly ok: false; readonly reason: string };

/**
 * Decides whether a webhook is accepted. With secrets configured, a valid signature is required
 * (Goodays always signs once a secret is agreed). With none, the request is refused unless unsigned
 * webhooks are explicitly allowed.
 */
export function authenticateWebhook(body: Uint8Array, header: unknown, secrets: readonly string[], allowUnsigned: boolean): WebhookAuth {
  if (secrets.length === 0) {
    return allowUnsigned ? { ok: true, signed: false } : { ok: false, reason: 'no GOODAYS_HMAC_SECRETS configured and GOODAYS_ALLOW_UNSIGNED is not true' };
  }
  if (header === undefined || header === null || header === '') return { ok: false, reason: `missing ${SIGNATURE_HEADER} header` };
  return verifySignature(body, header, secrets) ? { ok: true, signed: true } : { ok: false, reason: `wrong or malformed ${SIGNATURE_HEADER} signature` };
}

/** A header value from API Gateway's (lower-cased) headers, found case-insensitively. */
export function headerValue(headers: Readonly<Record<string, string | undefined>> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const direct = headers[name];
  if (direct !== undefined) return direct;
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === wanted) return v;
  return undefined;
}
