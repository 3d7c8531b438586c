import { describe, expect, it } from 'vitest';
import { CUSTOMER_HUB_OPERATIONS } from '#infra/cli/customers.ts';
import { GOODAYS_HUB_OPERATIONS } from '#infra/cli/goodays.ts';
import { HUB_OPERATIONS } from '#infra/cli/hub-client.ts';
import { NETCORE_HUB_OPERATIONS } from '#infra/cli/netcore.ts';
import { RUNGOPHER_HUB_OPERATIONS } from '#infra/cli/rungopher-hub.ts';
import { PROJECT_ROOT } from '#infra/build-app.ts';
import { openApiDocument } from '#infra/openapi/document.ts';
import { SUBSCRIPTION_HUB_OPERATIONS } from '#infra/cli/subscriptions.ts';
import { functionList } from '#infra/topology/index.ts';

/**
 * Every hub route the CLI's client calls is a route the hub declares (the topology, from which both
 * the stack and the API document are made), so a renamed or removed route fails here, not in a
 * person's shell.
 */
describe('the CLI client against the hub', () => {
  const declared = new Set(functionList().flatMap((f) => (f.trigger.kind === 'http' ? f.trigger.routes.map((r) => `${r.method} ${r.path}`) : [])));

  it('calls only declared routes', () => {
    const called = [...HUB_OPERATIONS, ...RUNGOPHER_HUB_OPERATIONS, ...NETCORE_HUB_OPERATIONS, ...GOODAYS_HUB_OPERATIONS, ...SUBSCRIPTION_HUB_OPERATIONS, ...CUSTOMER_HUB_OPERATIONS];
    expect(called.filter((op) => !declared.has(op))).toEqual([]);
  });

  it('calls only paths and methods the OpenAPI document (GET /openapi.json) has', async () => {
    const document = await openApiDocument(PROJECT_ROOT);
    const documented = new Set(Object.entries(document.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)));
    const called = [...HUB_OPERATIONS, ...RUNGOPHER_HUB_OPERATIONS, ...NETCORE_HUB_OPERATIONS, ...GOODAYS_HUB_OPERATIONS, ...SUBSCRIPTION_HUB_OPERATIONS, ...CUSTOMER_HUB_OPERATIONS];
    expect(called.length).toBeGreaterThan(10);
    expect(called.filter((op) => !documented.has(op))).toEqual([]);
    // And the check can fail: a route the document lacks is named.
    expect(['GET /no/such/route'].filter((op) => !documented.has(op))).toEqual(['GET /no/such/route']);
  });

  it('covers every Rungopher campaign route the hub has', () => {
    const campaignRoutes = functionList().find((f) => f.name === 'rungopher-campaigns');
    const routes = campaignRoutes?.trigger.kind === 'http' ? campaignRoutes.trigger.routes.map((r) => `${r.method} ${r.path}`) : [];
    expect(routes.length).toBeGreaterThan(0);
    expect(routes.filter((r) => !(RUNGOPHER_HUB_OPERATIONS as readonly string[]).includes(r))).toEqual([]);
  });
});
