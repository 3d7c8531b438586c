import type * as z from 'zod';

/** A schema of classic zod or zod/mini (both convert to JSON Schema alike). */
type Schema = z.core.$ZodType;

/**
 * How a function describes its HTTP routes for the OpenAPI document, from the zod schemas that
 * validate its requests and shape its answers. Each HTTP function's topology declaration names its
 * description module (`apiDoc`), whose export `routes` is an {@link ApiDoc}; `infra/openapi/`
 * builds the document from them. Nothing here is bundled into a function: handlers never import
 * their description (the schemas they share are the use cases' own).
 */

/**
 * Who may call a route: the operator token, anyone, the holder of a secret path segment, or a vendor
 * signing the body into a header (an `apiKey` scheme in the document, named after the header).
 */
export type RouteSecurity = 'operator' | 'none' | 'path-token' | { readonly signatureHeader: string; readonly description: string };

/** One answer a route can give. */
export interface ResponseDoc {
  readonly description: string;
  /** The body's schema; a problem document for 4xx/5xx when left out. */
  readonly schema?: Schema;
  /** @default 'application/json' (4xx/5xx: 'application/problem+json') */
  readonly contentType?: string;
  readonly example?: unknown;
  /** Response headers by name, with a description. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** One route: what it takes and every status it can answer. */
export interface RouteDoc {
  readonly summary: string;
  readonly description?: string;
  /** @default the function's vendor title */
  readonly tag?: string;
  /** @default 'operator' */
  readonly security?: RouteSecurity;
  /** The query parameters, as the route's own zod object. */
  readonly query?: z.ZodObject;
  /** Path parameters by name (every `{name}` of the path; a plain string when not given). */
  readonly path?: Readonly<Record<string, { readonly description: string; readonly schema?: Schema; readonly example?: string }>>;
  /** Request headers the route reads, by name. */
  readonly headers?: Readonly<Record<string, { readonly description: string; readonly schema: Schema }>>;
  readonly body?: { readonly schema: Schema; readonly contentType?: string; readonly example?: unknown; readonly required?: boolean; readonly description?: string };
  readonly responses: Readonly<Record<number, ResponseDoc>>;
}

/** A function's routes by API Gateway route key (`'GET /goodays/responses'`). */
export type ApiDoc = Readonly<Record<string, RouteDoc>>;

/** The 401 every operator route answers without the token. */
export const UNAUTHORIZED: ResponseDoc = { description: 'No `Authorization: Bearer <HUB_OPERATOR_TOKEN>`, or a wrong token.', headers: { 'WWW-Authenticate': '`Bearer`' } };
/** The 400 a route answers to a bad parameter, naming each one in `errors`. */
export const INVALID: ResponseDoc = { description: 'A bad parameter: `errors` names each one.' };
/** The 500 any function may answer (its details stay in the log); the request can be retried. */
export const INTERNAL: ResponseDoc = { description: 'An unexpected error; the details are in the log, and the request can be retried.' };
