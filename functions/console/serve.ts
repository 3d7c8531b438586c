import type { HttpEvent, HttpResult } from '#platform/http.ts';
import { problem } from '#platform/problem.ts';
import { assets } from './dist/assets.ts';
import { CONSOLE_CSP } from './csp.ts';

export { CONSOLE_CSP } from './csp.ts';

const COMMON = { 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'cross-origin-resource-policy': 'same-origin' };

const files = new Map(Object.entries(assets).map(([path, a]) => [path, { contentType: a.contentType, body: Buffer.from(a.base64, 'base64').toString('utf8') }]));

/**
 * The console file for a request path. The page itself is never cached (a deploy shows at once);
 * the files it names carry a content hash and are cached for a year.
 */
export function consoleAsset(event: HttpEvent): HttpResult {
  const raw = event.rawPath ?? event.requestContext?.http?.path ?? '';
  const path = raw === '/console/' ? '/console' : raw;
  const file = files.get(path);
  if (!file) {
    // The path is not echoed: it is whatever a caller typed.
    return problem(404, 'The console has no such file', {}, { 'cache-control': 'no-store', ...COMMON });
  }
  const page = path === '/console';
  return {
    statusCode: 200,
    headers: {
      'content-type': file.contentType,
      'cache-control': page ? 'no-cache' : 'public, max-age=31536000, immutable',
      ...(page ? { 'content-security-policy': CONSOLE_CSP, 'x-frame-options': 'DENY' } : {}),
      ...COMMON,
    },
    body: file.body,
  };
}
