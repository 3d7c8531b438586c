import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_CSP } from '#console/csp.ts';
import type { HttpEvent, HttpResult } from '#platform/http.ts';
import { staticSite } from '#platform/static-site.ts';
import { buildConsole, CONSOLE_PAGE_CSP, writeConsoleAssets } from '#infra/console/build.ts';
import { functions } from '#infra/topology/platform.ts';

/** The console is built into the static-asset folder (`npm start`, `cdk synth`); these tests hold what it must give. */
const built = await buildConsole();
const byType = (t: string) => built.filter((a) => a.contentType.startsWith(t));

describe('the console build', () => {
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

describe('serving the console from the static-asset function', () => {
  let dir: string;
  let serve: (event: HttpEvent) => Promise<HttpResult>;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'console-assets-'));
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(await writeConsoleAssets(dir)));
    process.env.STATIC_ASSETS_DIR = dir;
    // The function's own route keys, as its topology declaration gives them.
    const decl = functions['static-assets'];
    const site = staticSite(decl.trigger.routes.map((r) => `${r.method} ${r.path}`));
    serve = async (event) => (await site(event, {} as never)) as HttpResult;
  });
  afterAll(async () => {
    delete process.env.STATIC_ASSETS_DIR;
    await rm(dir, { recursive: true, force: true });
  });
  const get = (path: string) => {
    const asset = path.startsWith('/console/') ? path.slice('/console/'.length) : undefined;
    return serve({ rawPath: path, routeKey: asset === undefined ? (path === '/console' ? 'GET /console' : '$default') : 'GET /console/{asset}', pathParameters: asset === undefined ? undefined : { asset }, headers: {}, requestContext: { http: { method: 'GET', path } } } as unknown as HttpEvent);
  };
  const text = (r: HttpResult) => (r.isBase64Encoded ? Buffer.from(String(r.body), 'base64').toString('utf8') : String(r.body));

  it('is routed to the static-asset function, and no other function serves it', () => {
    expect(functions['static-assets'].trigger.routes).toEqual(expect.arrayContaining([{ method: 'GET', path: '/console' }, { method: 'GET', path: '/console/{asset}' }]));
    expect(Object.keys(functions)).not.toContain('console');
  });

  it('serves the page uncached with its strict CSP, and hashed files cached for a year', async () => {
    const page = await get('/console');
    expect(page.statusCode).toBe(200);
    expect(page.headers).toMatchObject({ 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache', 'content-security-policy': CONSOLE_CSP, 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY' });
    expect(text(page)).toBe(built[0]?.body);
    expect(CONSOLE_CSP).toMatch(/default-src 'none'/);
    expect(CONSOLE_CSP).toMatch(/frame-ancestors 'none'/);
    expect(CONSOLE_CSP).not.toMatch(/unsafe|\*|https?:/);
    for (const a of built.slice(1)) {
      const out = await get(a.path);
      expect({ status: out.statusCode, body: text(out), type: out.headers?.['content-type'], cache: out.headers?.['cache-control'] }).toEqual({ status: 200, body: a.body, type: a.contentType, cache: 'public, max-age=31536000, immutable' });
    }
  });

  it('writes the same files into a static-asset folder, with their headers in the manifest', async () => {
    const out = await mkdtemp(join(tmpdir(), 'console-assets-'));
    try {
      const manifest = await writeConsoleAssets(out);
      expect(Object.keys(manifest)).toEqual(built.map((a) => a.path));
      expect(manifest['/console']).toEqual({ file: 'console.html', contentType: 'text/html; charset=utf-8', cacheControl: 'no-cache', csp: CONSOLE_CSP });
      expect(CONSOLE_PAGE_CSP).toBe(CONSOLE_CSP);
      for (const a of built) expect(await readFile(join(out, manifest[a.path]?.file ?? ''), 'utf8')).toBe(a.body);
      expect((await readdir(out)).sort()).toEqual(Object.values(manifest).map((m) => m.file).sort());
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });

  it('answers 404 for any other path, without echoing it', async () => {
    for (const path of ['/console/app-000000000000.js', '/console/assets/x.js', '/console/../README.md', '/console/%3Cscript%3E', '/consolex']) {
      const out = await get(path);
      expect(out.statusCode).toBe(404);
      expect(out.headers?.['content-type']).toBe('application/problem+json');
      const body = JSON.parse(String(out.body)) as { type: string; detail: string };
      expect(body.type).toBe('urn:switchboard:problem:not-found');
      expect(body.detail).not.toMatch(/script|README/);
    }
  });
});
