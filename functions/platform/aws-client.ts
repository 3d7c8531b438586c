/**
 * What every AWS client of the hub shares, whatever its service.
 *
 * The SDK's logger middleware is taken out of each client's stack. The hub logs through Powertools
 * (`observability.ts`), never the SDK's request dumps, but with no logger configured the middleware
 * still builds a filtered copy of every request's input and output for the SDK's no-op `info`: about
 * 2 % of the local hub's CPU per stored result, under `schemaLogFilter` in a profile of
 * `DRAIN_HUB_NODE_OPTIONS="--cpu-prof --cpu-prof-dir=/tmp/prof" npm run bench -- drain`.
 */
export function hubClient<C extends { readonly middlewareStack: { remove(name: string): boolean } }>(client: C): C {
  client.middlewareStack.remove(SDK_LOGGER_MIDDLEWARE);
  return client;
}

/** The name the SDK gives its logger middleware (`@aws-sdk/core`'s `loggerMiddlewareOptions`). */
export const SDK_LOGGER_MIDDLEWARE = 'loggerMiddleware';
