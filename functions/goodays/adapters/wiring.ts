import * as z from 'zod';
import { DEFAULT_NATIVE_SOURCES } from '#goodays/domain/actions.ts';
import { functionConfig, secretValue, setting } from '#platform/config.ts';
import type { Setting } from '#platform/config.ts';
import { hubQuarantine } from '#platform/quarantine.ts';
import { eventPublisher } from '#platform/outbound/publisher.ts';
import { customerLinker } from '#platform/customer-index.ts';
import { sqsJsonQueue } from '#platform/queue.ts';
import type { ActionMessage } from '#goodays/domain/actions.ts';
import { DEFAULT_GOODAYS_BASE_URL, goodaysClient } from './client.ts';

// The webhook's settings live apart, so its bundle loads none of the stores and clients below.
export { goodaysHmacSecrets, webhookConfig } from './webhook-config.ts';
import type { GoodaysApi } from './client.ts';
import { dynamoActionStore, dynamoEventStore, dynamoThreadStore, dynamoUserCache } from './store.ts';

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

/**
 * An adapter over a declared resource, built once with the config that names it: a missing `TABLE_*`
 * or `QUEUE_*_URL` is named with the rest, and the adapter is made once per process.
 */
const built = <A, T>(source: Setting<A>, make: (value: A) => T): Setting<T> => ({ read: () => make(source.read()) });
const store = <T>(name: string, make: (table: string) => T): Setting<T> => built(setting.table(name), make);

/** `goodays-event-processor`: the foreign-record quarantine is the kit's; an unreadable event is kept here. */
export const eventProcessorConfig = functionConfig({
  events: store('goodays-events', dynamoEventStore),
  threads: store('goodays-threads', dynamoThreadStore),
  quarantine: store('quarantine', hubQuarantine),
  outbound: { read: eventPublisher },
  link: store('customer-index', customerLinker),
});

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
