import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { PROJECT_ROOT } from '#infra/build-app.ts';
import type { CompiledRoute } from '#infra/local/gateway.ts';
import { compileRoute, matchRoute } from '#infra/local/gateway.ts';
import type { OpenApiDocument } from '#infra/openapi/document.ts';
import { openApiDocument } from '#infra/openapi/document.ts';

/**
 * Every answer a test gets from the hub, checked against the OpenAPI document with ajv (JSON Schema
 * 2020-12, the dialect of OpenAPI 3.1): the route and method must be in it, the status must be one
 * the operation lists, the content type the one it gives for that status, and the body must match
 * its schema. The shared request helpers (`operatorGet`, `operatorRequest`, the fuzz `send`, the
 * Goodays world's `api`) call {@link expectDocumented}, so every suite that talks to the hub checks it.
 */

interface Checker {
  readonly document: OpenApiDocument;
  readonly routes: CompiledRoute[];
  validator(ref: string): ValidateFunction;
}

let checker: Promise<Checker> | undefined;
/** The id the document's components are known by to ajv. */
const DOC_ID = 'https://switchboard.invalid/openapi.json';

async function build(): Promise<Checker> {
  const document = await openApiDocument(PROJECT_ROOT);
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
  addFormats.default(ajv);
  ajv.addSchema({ $id: DOC_ID, components: document.components });
  const routes = Object.entries(document.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => compileRoute(m.toUpperCase(), path, `${m.toUpperCase()} ${path}`)));
  const compiled = new Map<string, ValidateFunction>();
  return {
    document,
    routes,
    validator(key) {
      let v = compiled.get(key);
      if (!v) {
        const [path, method, status, type] = JSON.parse(key) as [string, string, string, string];
        const schema = ((document.paths[path]?.[method] as { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }).responses[status]?.content?.[type]?.schema ?? {}) as object;
        v = ajv.compile({ $id: `${DOC_ID}/responses/${compiled.size}`, ...rebase(schema) });
        compiled.set(key, v);
      }
      return v;
    },
  };
}

/** `#/components/...` refers to the document; inside a compiled schema it must name the document's id. */
function rebase(schema: object): object {
  return JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', `"${DOC_ID}#/components/`)) as object;
}

/** The document the tests check against (generated once per test file). */
export async function documentForTests(): Promise<OpenApiDocument> {
  return (await (checker ??= build())).document;
}

/** What one answer was, for {@link expectDocumented}. */
export interface Answered {
  readonly method: string;
  /** The URL path as sent (`/netcore/users/%2B91...`), without the query. */
  readonly path: string;
  readonly status: number;
  readonly contentType: string | null;
  /** The body text; undefined when there is none. */
  readonly body: string | undefined;
  /** The route key, when the test called a handler directly (no URL to match). */
  readonly routeKey?: string;
}

/** Why an answer is not what the document says, or undefined when it is. */
export async function documentProblem(a: Answered): Promise<string | undefined> {
  const c = await (checker ??= build());
  const pathname = a.path.split('?')[0] ?? '';
  const direct = a.routeKey ? c.routes.find((r) => r.target === a.routeKey) : undefined;
  if (a.routeKey && !direct) return `${a.routeKey}: no such route in the document`;
  const match = direct ? { route: direct } : matchRoute(c.routes, a.method.toUpperCase(), pathname);
  // A route no function declares is answered by the `$default` route: a 404 problem document.
  const [method, templ] = match ? (match.route.target.split(' ') as [string, string]) : [undefined, undefined];
  if (!match) {
    if (a.status === 404 && a.contentType?.startsWith('application/problem+json')) return undefined;
    return `${a.method} ${pathname}: no such route in the document, answered ${a.status}`;
  }
  const op = c.document.paths[templ ?? '']?.[(method ?? '').toLowerCase()] as { responses: Record<string, { content?: Record<string, unknown> }> };
  // The server itself (not a function) refuses a request line or headers too long to read.
  if ([414, 431].includes(a.status) && !a.contentType) return undefined;
  const response = op.responses[String(a.status)];
  if (!response) return `${a.method} ${templ}: status ${a.status} is not in the document (it lists ${Object.keys(op.responses).join(', ')})`;
  const types = Object.keys(response.content ?? {});
  if (types.length === 0) return a.body ? `${a.method} ${templ} ${a.status}: the document gives no body, the hub sent one` : undefined;
  const type = types.find((t) => t === '*/*' || (a.contentType ?? '').split(';')[0]?.trim() === t);
  if (!type) return `${a.method} ${templ} ${a.status}: content type ${a.contentType} is not the document's ${types.join(', ')}`;
  if (!type.includes('json')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(a.body ?? '');
  } catch {
    return `${a.method} ${templ} ${a.status}: the body is not JSON`;
  }
  const validate = c.validator(JSON.stringify([templ, (method ?? '').toLowerCase(), String(a.status), type]));
  if (validate(value)) return undefined;
  return `${a.method} ${templ} ${a.status}: the body does not match the document: ${(validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '(body)'} ${e.message ?? ''}`).join('; ')}`;
}

/** Throws when an answer is not what the document says. */
export async function expectDocumented(a: Answered): Promise<void> {
  const problem = await documentProblem(a);
  if (problem) throw new Error(`OpenAPI: ${problem}`);
}
