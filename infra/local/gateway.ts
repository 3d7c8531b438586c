import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** API Gateway HTTP API's own payload limit. */
export const GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;

/** One route of the local gateway, compiled from a `{param}` path. */
export interface CompiledRoute {
  readonly method: string;
  readonly path: string;
  readonly routeKey: string;
  readonly pattern: RegExp;
  readonly params: readonly string[];
  readonly target: string;
}

/** Compiles an API Gateway route path (`/a/{b}/c`, `{proxy+}`) into a matcher. */
export function compileRoute(method: string, path: string, target: string): CompiledRoute {
  const params: string[] = [];
  const source = path
    .split('/')
    .map((seg) => {
      const m = /^\{([A-Za-z0-9_]+)(\+?)\}$/.exec(seg);
      if (!m?.[1]) return seg.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
      params.push(m[1]);
      return m[2] ? '(.+)' : '([^/]+)';
    })
    .join('/');
  return { method, path, routeKey: `${method} ${path}`, pattern: new RegExp(`^${source}$`), params, target };
}

/** Finds the route for a request; HTTP API matches the most specific (fewest parameters) first. */
export function matchRoute(routes: readonly CompiledRoute[], method: string, path: string): { route: CompiledRoute; params: Record<string, string> } | undefined {
  const candidates = routes.filter((r) => r.method === method).sort((a, b) => a.params.length - b.params.length);
  for (const route of candidates) {
    const m = route.pattern.exec(path);
    if (!m) continue;
    const params: Record<string, string> = {};
    route.params.forEach((p, i) => {
      const raw = m[i + 1] ?? '';
      try {
        params[p] = decodeURIComponent(raw);
      } catch {
        params[p] = raw;
      }
    });
    return { route, params };
  }
  return undefined;
}

const TEXT_TYPES = /^(text\/|application\/(json|xml|x-www-form-urlencoded|javascript)|[^;]*\+(json|xml))/i;

/** Reads a request body up to a limit; undefined when it is larger. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) return undefined;
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

/**
 * Builds an HTTP API payload-v2 event as API Gateway does: lower-case headers (repeats joined with
 * commas), decoded path parameters, the raw body as a string for textual content types and base64
 * otherwise, and a requestContext with a request id and time.
 */
export function toEventV2(req: IncomingMessage, url: URL, body: Buffer, route: CompiledRoute, params: Record<string, string>): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const key = (req.rawHeaders[i] ?? '').toLowerCase();
    const value = req.rawHeaders[i + 1] ?? '';
    if (key === 'cookie') continue;
    headers[key] = key in headers ? `${headers[key]},${value}` : value;
  }
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = k in query ? `${query[k]},${v}` : v;
  const contentType = headers['content-type'] ?? '';
  const text = body.toString('utf8');
  const isText = body.length === 0 || (TEXT_TYPES.test(contentType) && Buffer.from(text, 'utf8').equals(body));
  const now = Date.now();
  return {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    ...(req.headers.cookie ? { cookies: req.headers.cookie.split(/;\s*/) } : {}),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    ...(route.params.length ? { pathParameters: params } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: (headers.host ?? 'localhost').split('.')[0] ?? 'localhost',
      http: {
        method: req.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: route.routeKey,
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
    ...(body.length ? { body: isText ? text : body.toString('base64') } : {}),
    isBase64Encoded: body.length > 0 && !isText,
  };
}

/** Writes a handler's result as API Gateway would (format 2.0 inference for non-structured results). */
export function writeResult(res: ServerResponse, result: unknown, requestId: string): void {
  const structured = result && typeof result === 'object' && 'statusCode' in result;
  const r: APIGatewayProxyStructuredResultV2 = structured
    ? (result as APIGatewayProxyStructuredResultV2)
    : { statusCode: 200, headers: { 'content-type': 'application/json' }, body: typeof result === 'string' ? result : JSON.stringify(result) };
  const body = r.body === undefined ? Buffer.alloc(0) : r.isBase64Encoded ? Buffer.from(r.body, 'base64') : Buffer.from(r.body, 'utf8');
  res.statusCode = r.statusCode ?? 200;
  for (const [k, v] of Object.entries(r.headers ?? {})) res.setHeader(k, String(v));
  if (r.cookies?.length) res.setHeader('set-cookie', r.cookies);
  res.setHeader('apigw-requestid', requestId);
  res.setHeader('content-length', body.length);
  res.end(body);
}

/** A JSON reply from the gateway itself (404, 413, 500, local endpoints). */
export function writeJson(res: ServerResponse, status: number, body: unknown): void {
  const buf = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': buf.length });
  res.end(buf);
}

/**
 * The request line the local gateway prints: `<time> HTTP <method> <route> <status> <ms> ms`. The
 * route is the matched route's path with every value masked as its `{name}` (a webhook token, a
 * phone number used as a user id never show), the query only by its keys; a path no route matches
 * shows none of its segments.
 */
export function requestLine(routes: readonly CompiledRoute[], method: string, url: URL, status: number | string, ms: number, at = new Date()): string {
  const match = matchRoute(routes, method, url.pathname);
  const local = /^\/_local\/([a-z]+)(\/[^/]+)?(\/[a-z]+)?$/.exec(url.pathname);
  const route = match ? match.route.path : local ? `/_local/${local[1] ?? ''}${local[2] ? '/{name}' : ''}${local[3] ?? ''}` : '(no route)';
  const keys = [...new Set(url.searchParams.keys())].map((k) => (/^[A-Za-z0-9_-]{1,40}$/.test(k) ? k : '…'));
  return `${at.toISOString()} HTTP  ${method} ${route}${keys.length ? `?${keys.join('&')}` : ''} ${status} ${ms} ms`;
}

/** Prints one {@link requestLine} when a request's answer is sent (or `aborted` when the client left first). */
export function logRequests(routes: readonly CompiledRoute[], log: (line: string) => void): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const started = performance.now();
    const url = new URL(req.url ?? '/', 'http://local');
    res.once('close', () => log(requestLine(routes, req.method ?? 'GET', url, res.writableFinished ? res.statusCode : 'aborted', Math.round(performance.now() - started))));
  };
}
