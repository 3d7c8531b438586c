/**
 * The operator routes the hub's own pages call (status, quarantine, queues, streams, subscriptions,
 * the customer timeline), in one place, written as the API document names them (`METHOD /template`):
 * `test/console/shapes.test.ts` checks each is a route of `/openapi.json`, and `call` (api.ts) sends
 * exactly that method to that path. No browser API here, so the test can import it.
 */
export const HUB_ROUTES = {
  status: 'GET /status',
  quarantine: 'GET /quarantine',
  quarantineItem: 'GET /quarantine/{id}',
  quarantineRetry: 'POST /quarantine/{id}/retry',
  queues: 'GET /queues',
  redrive: 'POST /queues/{queue}/redrive',
  streams: 'GET /streams',
  stream: 'GET /streams/{stream}',
  streamReset: 'POST /streams/{stream}/reset',
  streamBackfill: 'POST /streams/{stream}/backfill',
  subscriptions: 'GET /subscriptions',
  subscriptionRedrive: 'POST /subscriptions/{id}/redrive',
  customers: 'GET /customers',
  customerExport: 'GET /customers/export',
  customerErase: 'DELETE /customers',
} as const;

export type HubRoute = (typeof HUB_ROUTES)[keyof typeof HUB_ROUTES];

/** Every route the hub pages call. */
export const CONSOLE_ROUTES: readonly HubRoute[] = Object.values(HUB_ROUTES);

/** The path of a route with its `{name}` segments filled in (each encoded as one segment). */
export function pathOf(route: HubRoute, params: Readonly<Record<string, string>> = {}): string {
  const template = route.slice(route.indexOf(' ') + 1);
  return template.replace(/\{([a-z]+)\}/gi, (_, name: string) => {
    const v = params[name];
    if (v === undefined) throw new Error(`${route}: no value for ${name}`);
    return encodeURIComponent(v);
  });
}
