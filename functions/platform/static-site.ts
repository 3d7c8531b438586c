import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import type { HttpEvent, HttpResult } from './http.ts';
import { httpHandler } from './http.ts';
import { problem } from './problem.ts';

/**
 * Static assets without a token (the OpenAPI document, its rendered reference, the operator console),
 * from one small function whose bundle holds no AWS SDK. What it serves is a folder with a
 * `manifest.json`, written at build time by `infra/openapi/` (into the bundle on AWS, into the data
 * folder locally): each URL path with its file, content type, cache policy and Content-Security-Policy.
 * Anything else, including every request no route matches (API Gateway's `$default` route), is a
 * 404 problem document.
 */

/** One asset of the manifest. */
export const AssetEntry = z.object({
  file: z.string().regex(/^[A-Za-z0-9._-]+$/, 'a file name in the assets folder'),
  contentType: z.string(),
  /** The Cache-Control header. */
  cacheControl: z.string(),
  /** The Content-Security-Policy header. */
  csp: z.string(),
});
export type AssetEntry = z.infer<typeof AssetEntry>;
/** URL path (`/docs/swagger-ui.css`) to asset. */
export const Manifest = z.record(z.string().startsWith('/'), AssetEntry);
export type Manifest = z.infer<typeof Manifest>;

interface Loaded {
  readonly entry: AssetEntry;
  readonly body: Buffer;
  readonly etag: string;
}

/** The folder: `STATIC_ASSETS_DIR` (the local runtime sets it), else `static/` beside the bundle. */
function assetsDir(): string {
  return process.env.STATIC_ASSETS_DIR ?? join(dirname(fileURLToPath(import.meta.url)), 'static');
}

/** Reads the manifest and every file once per cold start; a missing file fails loudly there. */
function load(dir: string): Map<string, Loaded> {
  const manifest = Manifest.parse(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')));
  const out = new Map<string, Loaded>();
  for (const [path, entry] of Object.entries(manifest)) {
    const body = readFileSync(join(dir, entry.file));
    out.set(path, { entry, body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` });
  }
  return out;
}

/** The URL path a route key and its parameters stand for (`GET /docs/{asset}` -> `/docs/swagger-ui.css`). */
function pathOf(event: HttpEvent): string | undefined {
  const [method, template] = event.routeKey.split(' ');
  if (method !== 'GET' || !template) return undefined;
  return template.replace(/\{([A-Za-z0-9_]+)\}/g, (_, name: string) => event.pathParameters?.[name] ?? '');
}

/** Answers one request from the assets: 200 (or 304 for a matching If-None-Match), else a 404 problem. */
export function serveAsset(assets: ReadonlyMap<string, Loaded>, routes: ReadonlySet<string>, event: HttpEvent): HttpResult {
  const path = routes.has(event.routeKey) ? pathOf(event) : undefined;
  const asset = path === undefined ? undefined : assets.get(path);
  // The path is not echoed: it is whatever a caller typed.
  if (!asset) return problem(404, event.routeKey === '$default' ? 'No route answers this method and path' : 'No such asset');
  const headers = {
    'content-type': asset.entry.contentType,
    'cache-control': asset.entry.cacheControl,
    'content-security-policy': asset.entry.csp,
    etag: asset.etag,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cross-origin-resource-policy': 'same-origin',
    // Every policy here says frame-ancestors 'none'; this is the same for browsers that predate it.
    'x-frame-options': 'DENY',
  };
  if (event.headers?.['if-none-match'] === asset.etag) return { statusCode: 304, headers };
  return { statusCode: 200, headers, body: asset.body.toString('base64'), isBase64Encoded: true };
}

/**
 * The static-asset function for the route keys it serves (its topology declaration's routes); the
 * `$default` route and any other key answer 404. The folder is loaded once, on the first request.
 */
export function staticSite(routeKeys: readonly string[]) {
  const routes = new Set(routeKeys);
  let assets: Map<string, Loaded> | undefined;
  return httpHandler(async (event) => serveAsset((assets ??= load(assetsDir())), routes, event));
}
