import { ConfigError } from '#platform/errors.ts';
import { parseSecrets } from '#goodays/domain/signature.ts';
import { functionConfig, secretValue, setting } from '#platform/config.ts';
import * as z from '#platform/zod.ts';

/**
 * The `goodays-webhook` settings (see `wiring.ts` for the other functions', which re-exports these):
 * apart from the wiring so the webhook's bundle loads no store, client or customer index.
 */

const Bool = z.pipe(z.enum(['true', 'false']), z.transform((v) => v === 'true'));

/** `goodays-webhook`: the queue and the quarantine are the kit's; only this setting is Goodays'. */
export const webhookConfig = functionConfig({
  allowUnsigned: setting.optional('GOODAYS_ALLOW_UNSIGNED', Bool, false),
});

/**
 * HMAC secrets, read on every call through the (cached) secret so a rotation reaches warm functions.
 * Empty only when nothing is configured at all (no GOODAYS_HMAC_SECRETS, no SECRET_GOODAYS_ARN): that
 * alone may fall through to GOODAYS_ALLOW_UNSIGNED. With a secret configured, a missing key or a
 * secret that is not JSON is a ConfigError (500, so Goodays resends), never "unsigned".
 */
export async function goodaysHmacSecrets(): Promise<string[]> {
  const local = process.env.GOODAYS_HMAC_SECRETS;
  const arn = process.env.SECRET_GOODAYS_ARN;
  if ((local === undefined || local === '') && (arn === undefined || arn === '')) return [];
  const secrets = parseSecrets(await secretValue('goodays', 'GOODAYS_HMAC_SECRETS'));
  if (secrets.length === 0) throw new ConfigError('GOODAYS_HMAC_SECRETS is configured but holds no secret');
  return secrets;
}

