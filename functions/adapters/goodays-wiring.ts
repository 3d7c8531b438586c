import * as z from 'zod';
import { DEFAULT_NATIVE_SOURCES } from '#domain/goodays/actions.ts';
import { parseSecrets } from '#domain/goodays/signature.ts';
import { optionalEnv, optionalSecretValue, queueUrl, secretValue, tableName } from '#shared/config.ts';
import { DEFAULT_GOODAYS_BASE_URL, goodaysClient } from './goodays-client.ts';
import type { GoodaysApi } from './goodays-client.ts';
import type { QueueEnvelope } from '#domain/envelope.ts';
import { dynamoActionStore, dynamoEventStore, dynamoThreadStore, dynamoUserCache, sqsQueue } from './goodays-store.ts';
import { dynamoQuarantine } from './quarantine.ts';

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
  actionMaxReceives: optionalEnv('GOODAYS_ACTION_MAX_RECEIVES', PositiveInt, 5),
}));

/** HMAC secrets, read on every call through the (cached) secret so a rotation reaches warm functions. */
export async function goodaysHmacSecrets(): Promise<string[]> {
  return parseSecrets(await optionalSecretValue('goodays', 'GOODAYS_HMAC_SECRETS'));
}

export const quarantineStore = once(() => dynamoQuarantine(tableName('quarantine')));
export const eventQueue = once(() => sqsQueue<QueueEnvelope>(queueUrl('goodays-events')));
export const actionQueue = once(() => sqsQueue<{ actionId: string }>(queueUrl('goodays-actions')));
export const eventStore = once(() => dynamoEventStore(tableName('goodays-events')));
export const threadStore = once(() => dynamoThreadStore(tableName('goodays-threads')));
export const actionStore = once(() => dynamoActionStore(tableName('goodays-actions')));
export const userCache = once(() => dynamoUserCache(tableName('goodays-users')));

let api: Promise<GoodaysApi> | undefined;
/** The Goodays client with the API token from the `goodays` secret. */
export function goodaysApi(): Promise<GoodaysApi> {
  api ??= secretValue('goodays', 'GOODAYS_API_TOKEN').then((token) => goodaysClient({ baseUrl: goodaysSettings().baseUrl, token, timeoutMs: goodaysSettings().timeoutMs }));
  // A failed read (secret not yet filled in) is not cached.
  api.catch(() => (api = undefined));
  return api;
}
