import * as z from 'zod';
import { ConfigError } from '#platform/errors.ts';
import { DEFAULT_NATIVE_SOURCES } from '#goodays/domain/actions.ts';
import { parseSecrets } from '#goodays/domain/signature.ts';
import { optionalEnv, queueUrl, requireEnv, secretValue, tableName } from '#platform/config.ts';
import type { ActionMessage } from '#goodays/use-cases/operator.ts';
import { DEFAULT_GOODAYS_BASE_URL, goodaysClient } from './client.ts';
import type { GoodaysApi } from './client.ts';
import { dynamoActionStore, dynamoEventStore, dynamoThreadStore, dynamoUserCache } from './store.ts';
import { dynamoQuarantine } from '#platform/quarantine.ts';
import { sqsEnvelopeQueue, sqsJsonQueue } from '#platform/queue.ts';

/**
 * Configuration and adapters of the Goodays functions, each built once per process on first use
 * (so tests can set the environment before the first call). Variables:
 * GOODAYS_BASE_URL, GOODAYS_API_TOKEN (secret `goodays`), GOODAYS_HMAC_SECRETS (secret `goodays`),
 * GOODAYS_ALLOW_UNSIGNED, GOODAYS_UNPROCESSED_AFTER_MINUTES, GOODAYS_NATIVE_SOURCES,
 * GOODAYS_TIMEOUT_MS, GOODAYS_ACTION_MAX_RECEIVES.
 */

function once<T>(make: () => T): () => T {
  let value: T | undefined;
  let made = false;
  return () => {
    if (!made) {
      value = make();
      made = true;
    }
    return value as T;
  };
}

const Bool = z.enum(['true', 'false']).transform((v) => v === 'true');
const PositiveInt = z.coerce.number().int().positive();
const List = z.string().transform((v) => v.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean));

export const goodaysSettings = once(() => ({
  baseUrl: optionalEnv('GOODAYS_BASE_URL', z.url(), DEFAULT_GOODAYS_BASE_URL),
  allowUnsigned: optionalEnv('GOODAYS_ALLOW_UNSIGNED', Bool, false),
  unprocessedAfterMinutes: optionalEnv('GOODAYS_UNPROCESSED_AFTER_MINUTES', PositiveInt, 60),
  nativeSources: optionalEnv('GOODAYS_NATIVE_SOURCES', List, [...DEFAULT_NATIVE_SOURCES]),
  timeoutMs: optionalEnv('GOODAYS_TIMEOUT_MS', PositiveInt, 10_000),
}));

/**
 * Deliveries of an action message before SQS moves it to the DLQ: GOODAYS_ACTION_MAX_RECEIVES, which
 * the stack sets from the `goodays-actions` queue's maxReceiveCount. Required, with no default, so it
 * can never disagree with the queue (the last delivery settles the action instead of leaving it stuck).
 */
export const goodaysActionMaxReceives = once(() => {
  const raw = requireEnv('GOODAYS_ACTION_MAX_RECEIVES');
  const parsed = PositiveInt.safeParse(raw);
  if (!parsed.success) throw new ConfigError(`Invalid configuration GOODAYS_ACTION_MAX_RECEIVES=${JSON.stringify(raw)}: a positive integer`);
  return parsed.data;
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

export const quarantineStore = once(() => dynamoQuarantine(tableName('quarantine')));
export const eventQueue = once(() => sqsEnvelopeQueue(queueUrl('goodays-events')));
export const actionQueue = once(() => sqsJsonQueue<ActionMessage>(queueUrl('goodays-actions')));
export const eventStore = once(() => dynamoEventStore(tableName('goodays-events')));
export const threadStore = once(() => dynamoThreadStore(tableName('goodays-threads')));
export const actionStore = once(() => dynamoActionStore(tableName('goodays-actions')));
export const userCache = once(() => dynamoUserCache(tableName('goodays-users')));

let client: { token: string; api: GoodaysApi } | undefined;
/**
 * The Goodays client with the API token from the `goodays` secret, read on every call (Secrets
 * Manager reads are cached five minutes) and the client rebuilt when the token changed, so a rotated
 * token reaches warm functions. Throws ConfigError while the token is not filled in.
 */
export async function goodaysApi(): Promise<GoodaysApi> {
  const token = await secretValue('goodays', 'GOODAYS_API_TOKEN');
  if (client?.token !== token) client = { token, api: goodaysClient({ baseUrl: goodaysSettings().baseUrl, token, timeoutMs: goodaysSettings().timeoutMs }) };
  return client.api;
}
