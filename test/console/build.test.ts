import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { CONSOLE_CSP, consoleAsset } from '#console/serve.ts';
import type { HttpEvent } from '#platform/http.ts';
import { ASSETS_MODULE, assetsModule, buildConsole, CONSOLE_PAGE_CSP, writeConsoleAssets } from '#infra/console/build.ts';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The console's build is part of `npm ci` (`prepare`); these tests hold what it must give. */
const built = await buildConsole();
const byType = (t: string) => built.filter((a) => a.contentType.startsWith(t));

const get = (path: string) => consoleAsset({ rawPath: path, routeKey: 'GET /console', requestContext: { http: { path } } } as unknown as HttpEvent);

describe('the console build', () => {
  it('is up to date: dist/assets.ts is what the sources build to (run `npm run build:console` after editing them)', async () => {
    const digest = (s: string) => createHash('sha256').update(s).digest('hex');
    // Digests, so a stale build fails with one line rather than the whole bundle.
    expect({ 'dist/assets.ts': digest(await readFile(ASSETS_MODULE, 'utf8')) }).toEqual({ 'dist/assets.ts': digest(assetsModule(built)) });
  });

  it('gives one page, one script and one stylesheet, named by their content hash, and small', () => {
    expect(built.map((a) => a.path)).toEqual(['/console', expect.stringMatching(/^\/console\/app-[0-9a-f]{12}\.js$/), expect.stringMatching(/^\/console\/console-[0-9a-f]{12}\.css$/)]);
    const script = byType('text/javascript')[0]?.body ?? '';
    expect(Buffer.byteLength(script)).toBeLessThan(120 * 1024);
  });

  it('loads nothing from another origin: no CDN script, font or stylesheet, no inline script or style', () => {
    const html = byType('text/html')[0]?.body ?? '';
    const css = byType('text/css')[0]?.body ?? '';
    const js = byType('text/javascript')[0]?.body ?? '';
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect([...html.matchAll(/<script\b([^>]*)>/g)].map((m) => m[1])).toEqual([expect.stringMatching(/src="\/console\/app-/)]);
    expect(html).not.toMatch(/<style|style="/);
    expect(css).not.toMatch(/@import|@font-face|url\(/);
    // The script fetches only paths on its own origin.
    expect(js).not.toMatch(/fetch\(\s*["'`]https?:/);
    expect(js).not.toMatch(/fonts\.googleapis|cdn\.|unpkg|jsdelivr/);
  });
});

describe('serving the console', () => {
  it('serves the page uncached with a strict CSP, and hashed files cached for a year', () => {
    const page = get('/console');
    expect(page.statusCode).toBe(200);
    expect(page.headers).toMatchObject({ 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache', 'content-security-policy': CONSOLE_CSP, 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY' });
    expect(CONSOLE_CSP).toMatch(/default-src 'none'/);
    expect(CONSOLE_CSP).toMatch(/frame-ancestors 'none'/);
    expect(CONSOLE_CSP).not.toMatch(/unsafe|\*|https?:/);
    for (const a of built.slice(1)) {
      const out = get(a.path);
      expect(out).toMatchObject({ statusCode: 200, body: a.body, headers: { 'content-type': a.contentType, 'cache-control': 'public, max-age=31536000, immutable' } });
    }
    expect(get('/console/').statusCode).toBe(200);
  });

  it('writes the same files into a static-asset folder, with their headers in the manifest', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'console-assets-'));
    try {
      const manifest = await writeConsoleAssets(dir);
      expect(Object.keys(manifest)).toEqual(built.map((a) => a.path));
      expect(manifest['/console']).toEqual({ file: 'console.html', contentType: 'text/html; charset=utf-8', cacheControl: 'no-cache', csp: CONSOLE_CSP });
      expect(CONSOLE_PAGE_CSP).toBe(CONSOLE_CSP);
      for (const a of built) expect(await readFile(join(dir, manifest[a.path]?.file ?? ''), 'utf8')).toBe(a.body);
      expect((await readdir(dir)).sort()).toEqual(Object.values(manifest).map((m) => m.file).sort());
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('answers 404 for any other path, without echoing it', () => {
    for (const path of ['/console/app-000000000000.js', '/console/assets/x.js', '/console/../README.md', '/console/%3Cscript%3E', '/consolex']) {
      const out = get(path);
      expect(out.statusCode).toBe(404);
      expect(out.headers?.['content-type']).toBe('application/problem+json');
      expect(JSON.parse(String(out.body))).toEqual({ type: 'urn:switchboard:problem:not-found', title: 'Not found', status: 404, detail: 'The console has no such file' });
    }
  });
});
