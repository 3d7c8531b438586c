import { SIGNATURE_HEADER, authenticateWebhook, headerValue } from '#goodays/domain/signature.ts';
import { UnauthorizedError } from '#platform/errors.ts';
import type { WebhookAuthenticator } from '#platform/webhook.ts';
import { goodaysHmacSecrets, webhookConfig } from './webhook-config.ts';

/**
 * Goodays' webhook authenticator for the kit: `X-HMAC-SHA256` over the exact raw bytes against every
 * configured secret (read on each call, so a rotation reaches warm functions); unsigned bodies only
 * when no secret is configured at all and GOODAYS_ALLOW_UNSIGNED is true. A secret that is configured
 * but unreadable is a ConfigError (500, Goodays resends), never "unsigned".
 * @throws UnauthorizedError (401)
 */
export const goodaysHmac: WebhookAuthenticator = async ({ event, body }) => {
  const secrets = await goodaysHmacSecrets();
  const auth = authenticateWebhook(body, headerValue(event.headers, SIGNATURE_HEADER), secrets, webhookConfig().allowUnsigned);
  if (!auth.ok) throw new UnauthorizedError(`Goodays webhook refused: ${auth.reason}`);
};
