import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import * as z from 'zod';
import type { ApiDoc, ResponseDoc, RouteDoc } from '#platform/api-doc.ts';
import { PROBLEM_CONTENT_TYPE, PROBLEM_TYPES } from '#platform/problem.ts';
import { ProblemSchema } from '#platform/problem-schema.ts';
import { eventCatalogue } from '#infra/event-catalogue.ts';
import type { FunctionDecl, TopologyModule } from '#infra/topology/index.ts';
import { functionList, vendors } from '#infra/topology/index.ts';
import * as platform from '#infra/topology/platform.ts';

/**
 * The OpenAPI 3.1 document of the hub, generated from the topology and the zod schemas the functions
 * validate with: every HTTP route of every function, described by the module its declaration names
 * (`apiDoc`), loaded by path as the local runtime loads handlers. No copy is kept by hand.
 */

export type OpenApiDocument = Record<string, unknown> & { readonly paths: Record<string, Record<string, unknown>>; readonly components: { readonly schemas: Record<string, unknown> } & Record<string, unknown> };

/** A route the document describes, for tests: method, path and the function answering it. */
export interface DocumentedRoute {
  readonly method: string;
  readonly path: string;
  readonly fn: string;
}

type Json = Record<string, unknown>;

/** Converts zod schemas to JSON Schema 2020-12, gathering every schema with an `id` into components. */
class SchemaSet {
  readonly components: Record<string, unknown> = {};

  convert(schema: z.core.$ZodType, io: 'input' | 'output'): Json {
    const out = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Json;
    const defs = (out.$defs ?? {}) as Record<string, Json>;
    delete out.$defs;
    delete out.$schema;
    for (const [id, def] of Object.entries(defs)) {
      const rewritten = rewriteRefs(def);
      const existing = this.components[id];
      if (existing !== undefined && JSON.stringify(existing) !== JSON.stringify(rewritten)) throw new Error(`OpenAPI: schema id ${id} names two different schemas (${io})`);
      this.components[id] = rewritten;
    }
    return rewriteRefs(out);
  }
}

function rewriteRefs<T>(value: T): T {
  return JSON.parse(JSON.stringify(value).replaceAll('"#/$defs/', '"#/components/schemas/')) as T;
}

/** The security requirement of a route, adding a signature header's scheme to `schemes` the first time. */
function securityOf(security: RouteDoc['security'], schemes: Record<string, unknown>): Json[] {
  if (security === undefined || security === 'operator') return [{ operatorToken: [] }];
  if (security === 'none' || security === 'path-token') return [];
  const name = `signature-${security.signatureHeader}`;
  schemes[name] ??= { type: 'apiKey', in: 'header', name: security.signatureHeader, description: security.description };
  return [{ [name]: [] }];
}

function titleOf(fnName: string): string {
  const modules: readonly TopologyModule[] = [platform, ...vendors];
  return modules.find((m) => Object.hasOwn(m.functions, fnName))?.title ?? 'Platform';
}

async function routesOf(root: string, fn: FunctionDecl): Promise<ApiDoc> {
  if (!fn.apiDoc) return {};
  const mod = (await import(pathToFileURL(join(root, fn.apiDoc)).href)) as { routes?: ApiDoc };
  return mod.routes ?? {};
}

function operation(route: RouteDoc, key: string, fnName: string, schemas: SchemaSet, schemes: Record<string, unknown>): Json {
  const [method = '', path = ''] = key.split(' ');
  const parameters: Json[] = [];
  for (const name of [...path.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1] ?? '')) {
    const p = route.path?.[name];
    parameters.push({ name, in: 'path', required: true, description: p?.description ?? name, schema: p?.schema ? schemas.convert(p.schema, 'input') : { type: 'string' }, ...(p?.example ? { example: p.example } : {}) });
  }
  for (const [name, prop] of Object.entries(route.query?.shape ?? {})) {
    const schema = schemas.convert(prop as z.core.$ZodType, 'input');
    const required = !z.safeParse(prop as z.core.$ZodType, undefined).success;
    const description = typeof schema.description === 'string' ? schema.description : undefined;
    parameters.push({ name, in: 'query', required, ...(description ? { description } : {}), schema });
  }
  for (const [name, h] of Object.entries(route.headers ?? {})) parameters.push({ name, in: 'header', required: false, description: h.description, schema: schemas.convert(h.schema, 'input') });
  const responses: Json = {};
  for (const [status, r] of Object.entries(route.responses) as [string, ResponseDoc][]) responses[status] = response(Number(status), r, schemas);
  const security = securityOf(route.security, schemes);
  return {
    operationId: `${method.toLowerCase()}${path.replace(/\{([^}]+)\}/g, 'By-$1').replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    tags: [route.tag ?? titleOf(fnName)],
    security,
    ...(parameters.length ? { parameters } : {}),
    ...(route.body
      ? {
          requestBody: {
            required: route.body.required ?? true,
            ...(route.body.description ? { description: route.body.description } : {}),
            content: { [route.body.contentType ?? 'application/json']: { schema: schemas.convert(route.body.schema, 'input'), ...(route.body.example !== undefined ? { example: route.body.example } : {}) } },
          },
        }
      : {}),
    responses,
    'x-switchboard-function': fnName,
  };
}

function response(status: number, r: ResponseDoc, schemas: SchemaSet): Json {
  const error = status >= 400;
  const contentType = r.contentType ?? (error ? PROBLEM_CONTENT_TYPE : 'application/json');
  const headers = Object.fromEntries(Object.entries(r.headers ?? {}).map(([name, description]) => [name, { description, schema: { type: 'string' } }]));
  const problemType = (PROBLEM_TYPES as Record<number, { type: string; title: string } | undefined>)[status];
  const example = r.example ?? (error && problemType ? { ...problemType, status, detail: r.description } : undefined);
  return {
    description: r.description,
    ...(Object.keys(headers).length ? { headers } : {}),
    ...(contentType === 'none' ? {} : { content: { [contentType]: { schema: schemas.convert(r.schema ?? ProblemSchema, 'output'), ...(example !== undefined ? { example } : {}) } } }),
  };
}

/** Every route the topology declares (the `$default` catch-all is no route of its own). */
export function declaredRoutes(): DocumentedRoute[] {
  return functionList().flatMap((f) => (f.trigger.kind === 'http' ? f.trigger.routes.map((r) => ({ method: r.method, path: r.path, fn: f.name })) : []));
}

/** The document. `root` is the project root the `apiDoc` paths are relative to. */
export async function openApiDocument(root: string): Promise<OpenApiDocument> {
  const schemas = new SchemaSet();
  const schemes: Record<string, unknown> = { operatorToken: { type: 'http', scheme: 'bearer', description: 'HUB_OPERATOR_TOKEN from the `hub` secret (locally printed by `npm start`).' } };
  const paths: Record<string, Record<string, unknown>> = {};
  for (const fn of functionList()) {
    if (fn.trigger.kind !== 'http') continue;
    const described = await routesOf(root, fn);
    for (const r of fn.trigger.routes) {
      const key = `${r.method} ${r.path}`;
      const route = Object.hasOwn(described, key) ? described[key] : undefined;
      if (!route) continue;
      (paths[r.path] ??= {})[r.method.toLowerCase()] = operation(route, key, fn.name, schemas, schemes);
    }
  }
  const webhooks = await eventWebhooks(root, schemas.components);
  return {
    openapi: '3.1.1',
    info: {
      title: 'Switchboard',
      version: '1',
      summary: `${vendors.map((v) => v.title).join(', ')}: the webhooks and the operator API of the hub.`,
      description:
        'Every operator route follows one contract: lists answer `{ "items": [...], "nextCursor": string|null }` with `limit` 1–1000 (default 100) and an opaque `cursor`, and stop a page before about 5 MB; errors are RFC 9457 problem details (`application/problem+json`) whose `errors` name each bad parameter; times are ISO-8601 UTC; ids are strings. API Gateway itself answers a request over 10 MB (413), throttling (429) and a function that fails to run (500, 503) with `{"message": "…"}` before any route runs.',
    },
    servers: [{ url: '/', description: 'The hub: `npm start` prints its URL; on AWS the stack output ApiUrl.' }],
    tags: [...[platform, ...vendors].map((m) => ({ name: m.title })), { name: 'Outbound', description: 'Subscriptions, and the events the hub delivers to them (see `webhooks`).' }, { name: 'Customers', description: 'One customer across vendors: timeline, export, erasure.' }],
    paths,
    webhooks,
    components: {
      schemas: schemas.components,
      securitySchemes: schemes,
    },
  };
}

/**
 * The outbound events as OpenAPI webhooks: what the hub POSTs to each subscription, signed as Standard
 * Webhooks define it. Each type's `data` schema is a component named `<type>.v<version>` (a new version
 * for any change that is not additive).
 */
async function eventWebhooks(root: string, components: Record<string, unknown>): Promise<Record<string, unknown>> {
  const webhooks: Record<string, unknown> = {};
  for (const e of await eventCatalogue(root)) {
    const { $schema: _dialect, ...data } = e.schema;
    const name = `${e.type}.v${e.version}`;
    components[name] = data;
    webhooks[e.type] = {
      post: {
        operationId: `event_${e.type.replaceAll('.', '_')}`,
        summary: e.description,
        description: `Delivered to every subscription whose \`events\` list \`${e.type}\` or \`*\` (on AWS also on the event bus: \`source\` \`${e.source}\`, \`detail-type\` \`${e.type}\`). At least once: dedupe on \`webhook-id\`, the event's stable id.`,
        tags: ['Outbound'],
        parameters: [
          { name: 'webhook-id', in: 'header', required: true, description: 'The event id (`evt_` + 32 hex): the same change published twice has the same id.', schema: { type: 'string' } },
          { name: 'webhook-timestamp', in: 'header', required: true, description: 'Seconds since the epoch when this attempt was signed.', schema: { type: 'string' } },
          { name: 'webhook-signature', in: 'header', required: true, description: 'Space-separated `v1,<base64 HMAC-SHA256>` signatures, one per current secret (rotation); verify with a Standard Webhooks library.', schema: { type: 'string' } },
        ],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['type', 'timestamp', 'data'],
                properties: { type: { const: e.type }, timestamp: { type: 'string', format: 'date-time' }, data: { $ref: `#/components/schemas/${name}` } },
              },
            },
          },
        },
        responses: {
          '2XX': { description: 'Delivered.' },
          '408': { description: 'Retried with back-off (also 429, honouring Retry-After, and 5xx or no answer).' },
          default: { description: 'Any other answer (3xx, 4xx) puts the event in the subscription\'s DLQ at once: fix the subscriber, then POST /subscriptions/{id}/redrive.' },
        },
      },
    };
  }
  return webhooks;
}
