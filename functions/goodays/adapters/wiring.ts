import * as z from 'zod';
import { DEFAULT_NATIVE_SOURCES } from '#goodays/domain/actions.ts';
import { functionConfig, secretValue, setting } from '#platform/config.ts';
import { eventPublisher } from '#platform/outbound/publisher.ts';
import { sqsJsonQueue } from '#platform/queue.ts';
import type { ActionMessage } from '#goodays/domain/actions.ts';
import { DEFAULT_GOODAYS_BASE_URL, goodaysClient } from './client.ts';

// The webhook's settings live apart, so its bundle loads none of the stores and clients below.
export { goodaysHmacSecrets, webhookConfig } from './webhook-config.ts';
// The event processor's too, so its bundle loads none of the action store, the client and classic zod.
export { eventProcessorConfig } from './event-wiring.ts';
import type { GoodaysApi } from './client.ts';
import { dynamoActionStore, dynamoThreadStore, dynamoUserCache } from './store.ts';
import { built, store } from './event-wiring.ts';

/**
 * Configuration and adapters of the Goodays functions: one typed config object per function, read on
 * first use (so tests can set the environment first) and failing with one ConfigError naming every
 * missing variable. Each reads only what that function's topology declaration gives it (the bundle
 * smoke test runs each bundle with only its own environment). Variables: GOODAYS_BASE_URL,
 * GOODAYS_API_TOKEN (secret `goodays`), GOODAYS_HMAC_SECRETS (secret `goodays`), GOODAYS_ALLOW_UNSIGNED,
 * GOODAYS_UNPROCESSED_AFTER_MINUTES, GOODAYS_NATIVE_SOURCES, GOODAYS_TIMEOUT_MS, GOODAYS_ACTION_MAX_RECEIVES.
 */

const PositiveInt = z.coerce.number().int().positive();
const List = z.string().transform((v) => v.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean));

/** `goodays-api`. */
export const operatorApiConfig = functionConfig({
  threads: store('goodays-threads', dynamoThreadStore),
  actions: store('goodays-actions', dynamoActionStore),
  queue: built(setting.queue('goodays-actions'), (url) => sqsJsonQueue<ActionMessage>(url)),
  nativeSources: setting.optional('GOODAYS_NATIVE_SOURCES', List, [...DEFAULT_NATIVE_SOURCES]),
  outbound: { read: eventPublisher },
});

/**
 * `goodays-action-processor`, what it needs to know and write to settle an action on its last
 * delivery. GOODAYS_ACTION_MAX_RECEIVES is set by the stack from the `goodays-actions` queue's
 * maxReceiveCount; required, with no default, so it can never disagree with the queue.
 */
export const actionSettlementConfig = functionConfig({
  maxReceives: setting.requiredAs('GOODAYS_ACTION_MAX_RECEIVES', PositiveInt),
  actions: store('goodays-actions', dynamoActionStore),
});

/**
 * `goodays-action-processor`, what a send needs. Read apart from {@link actionSettlementConfig} and
 * later, inside the part of a delivery whose failures the last delivery settles: a missing or
 * malformed setting there fails the action instead of leaving it stuck.
 */
export const actionSendingConfig = functionConfig({
  baseUrl: setting.optional('GOODAYS_BASE_URL', z.url(), DEFAULT_GOODAYS_BASE_URL),
  timeoutMs: setting.optional('GOODAYS_TIMEOUT_MS', PositiveInt, 10_000),
  threads: store('goodays-threads', dynamoThreadStore),
  users: store('goodays-users', dynamoUserCache),
});

let client: { token: string; api: GoodaysApi } | undefined;
/**
 * The Goodays client with the API token from the `goodays` secret, read on every call (Secrets
 * Manager reads are cached five minutes) and the client rebuilt when the token changed, so a rotated
 * token reaches warm functions. Throws ConfigError while the token is not filled in.
 */
export async function goodaysApi(): Promise<GoodaysApi> {
  const token = await secretValue('goodays', 'GOODAYS_API_TOKEN');
  const { baseUrl, timeoutMs } = actionSendingConfig();
  if (client?.token !== token) client = { token, api: goodaysClient({ baseUrl, token, timeoutMs }) };
  return client.api;
}

/** `goodays-unprocessed`. */
export const unprocessedConfig = functionConfig({
  threads: store('goodays-threads', dynamoThreadStore),
  afterMinutes: setting.optional('GOODAYS_UNPROCESSED_AFTER_MINUTES', PositiveInt, 60),
});
