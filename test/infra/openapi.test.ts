import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '#infra/build-app.ts';
import type { OpenApiDocument } from '#infra/openapi/document.ts';
import { declaredRoutes, openApiDocument } from '#infra/openapi/document.ts';
import { eventCatalogue } from '#infra/event-catalogue.ts';
import { functionList } from '#infra/topology/index.ts';

/** The OpenAPI document: valid 3.1, every topology route in it, every answer a route can give. */

const document = await openApiDocument(PROJECT_ROOT);

/** Routes of the topology the document does not describe. */
function missingRoutes(doc: OpenApiDocument): string[] {
  return declaredRoutes()
    .filter((r) => doc.paths[r.path]?.[r.method.toLowerCase()] === undefined)
    .map((r) => `${r.method} ${r.path} (${r.fn})`);
}

type Operation = { security: unknown[]; parameters?: { in: string }[]; responses: Record<string, unknown>; requestBody?: unknown; 'x-switchboard-function': string };
const operations = (): [string, Operation][] =>
  Object.entries(document.paths).flatMap(([path, ops]) => Object.entries(ops).map(([m, op]) => [`${m.toUpperCase()} ${path}`, op as Operation] as [string, Operation]));

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document (@seriousme/openapi-schema-validator)', async () => {
    const validator = new Validator();
    const result = await validator.validate(document);
    expect(result).toEqual({ valid: true });
    expect(validator.version).toBe('3.1');
  });

  it('publishes every outbound event type as a webhook whose data is that type\'s versioned schema', async () => {
    const catalogue = await eventCatalogue(PROJECT_ROOT);
    const webhooks = (document as { webhooks?: Record<string, { post: { requestBody: { content: Record<string, { schema: { properties: { data: { $ref: string } } } }> } } }> }).webhooks ?? {};
    expect(Object.keys(webhooks).sort()).toEqual(catalogue.map((e) => e.type).sort());
    for (const e of catalogue) {
      const ref = webhooks[e.type]?.post.requestBody.content['application/json']?.schema.properties.data.$ref;
      expect(ref).toBe(`#/components/schemas/${e.type}.v${e.version}`);
      const { $schema: _dialect, ...published } = e.schema;
      expect(document.components.schemas[`${e.type}.v${e.version}`]).toEqual(published);
    }
  });

  it('describes every route the topology declares', () => {
    expect(missingRoutes(document)).toEqual([]);
    expect(declaredRoutes().length).toBe(operations().length);
  });

  it('fails when a topology route is missing from it', () => {
    const [first] = declaredRoutes();
    if (!first) throw new Error('no routes');
    const paths = structuredClone(document.paths);
    delete paths[first.path]?.[first.method.toLowerCase()];
    expect(missingRoutes({ ...document, paths })).toEqual([`${first.method} ${first.path} (${first.fn})`]);
  });

  it('names who may call each route, and lists the errors each can answer', () => {
    const problems = operations().flatMap(([key, op]) => {
      const out: string[] = [];
      const operator = JSON.stringify(op.security) === JSON.stringify([{ operatorToken: [] }]);
      const open = !key.includes('/webhooks/') && JSON.stringify(op.security) === '[]';
      if (!operator && !open && !key.includes('/webhooks/')) out.push(`${key}: neither operator nor public`);
      if (operator && !op.responses['401']) out.push(`${key}: an operator route without 401`);
      if ((op.parameters?.some((p) => p.in !== 'header') || op.requestBody) && operator && !op.responses['400']) out.push(`${key}: takes input, lists no 400`);
      if (!op.responses['500']) out.push(`${key}: no 500`);
      if (!Object.keys(op.responses).some((s) => s.startsWith('2'))) out.push(`${key}: no 2xx`);
      return out;
    });
    expect(problems).toEqual([]);
  });

  it('has security schemes and the answers of the functions the topology names', () => {
    expect(Object.keys((document.components.securitySchemes ?? {}) as object).sort()).toEqual(['operatorToken', 'signature-X-HMAC-SHA256']);
    const fns = new Set<string>(functionList().map((f) => f.name));
    for (const [key, op] of operations()) expect({ key, fn: fns.has(op['x-switchboard-function']) }).toEqual({ key, fn: true });
  });

  it('carries examples from the vendor documents', () => {
    const webhook = document.paths['/webhooks/rungopher/{token}']?.post as { requestBody: { content: Record<string, { example: { id: number; resultName: string } }> } };
    expect(webhook.requestBody.content['application/json']?.example).toMatchObject({ id: 110, resultName: 'accepted', timestamp: '2017-11-14T10:56:14Z' });
    const reply = document.paths['/goodays/responses/{id}/{action}']?.post as { requestBody: { content: Record<string, { example: { remark_type: string } }> } };
    expect(reply.requestBody.content['application/json']?.example.remark_type).toBe('Problem');
  });
});
