/**
 * What every AWS client of the hub shares, whatever its service.
 *
 * Timeouts: the SDK waits forever by default, so one stuck connection would hold a webhook until its
 * function times out (and the vendor resends) or a processor's whole batch until its own. With these a
 * stuck attempt fails with a `TimeoutError`, which the SDK's standard retry mode retries like any
 * transient error. What is stored is safe to write again (conditional, keyed or order-free writes, as
 * SQS redeliveries already need); a few counters (a delivery's `attempts`, an erasure's counts) may
 * count such an attempt twice, as they already may when the SDK retries a 500 or a reset connection
 * whose write had landed. DynamoDB, SQS and EventBridge answer in milliseconds; the hub makes no
 * long-poll call (`WaitTimeSeconds` is 0 wherever it receives).
 *
 * The SDK's logger middleware is taken out of each client's stack. The hub logs through Powertools
 * (`observability.ts`), never the SDK's request dumps, but with no logger configured the middleware
 * still builds a filtered copy of every request's input and output for the SDK's no-op `info`: about
 * 2 % of the local hub's CPU per stored result, under `schemaLogFilter` in a profile of
 * `DRAIN_HUB_NODE_OPTIONS="--cpu-prof --cpu-prof-dir=/tmp/prof" npm run bench -- drain`.
 */

/** The longest a connection may take to open (TCP and TLS). */
export const AWS_CONNECT_TIMEOUT_MS = 3_000;
/**
 * The longest one attempt of a request may take, connection included (a webhook's function has 10 s;
 * the SDK's standard mode makes up to three attempts, so a stalled endpoint still ends the invocation).
 */
export const AWS_REQUEST_TIMEOUT_MS = 6_000;

/** Constructor options for every hub client: `new SQSClient({ ...HUB_CLIENT_CONFIG, ... })`. */
export const HUB_CLIENT_CONFIG = {
  requestHandler: { connectionTimeout: AWS_CONNECT_TIMEOUT_MS, requestTimeout: AWS_REQUEST_TIMEOUT_MS, throwOnRequestTimeout: true },
} as const;

/** The name the SDK gives its logger middleware (`@aws-sdk/core`'s `loggerMiddlewareOptions`). */
export const SDK_LOGGER_MIDDLEWARE = 'loggerMiddleware';

/** A client made with {@link HUB_CLIENT_CONFIG}, its logger middleware taken out. */
export function hubClient<C extends { readonly middlewareStack: { remove(name: string): boolean } }>(client: C): C {
  client.middlewareStack.remove(SDK_LOGGER_MIDDLEWARE);
  return client;
}
