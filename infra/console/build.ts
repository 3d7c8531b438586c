/**
 * Builds the operator console: esbuild bundles `functions/console/app/main.tsx` (Preact) and
 * `app/console.css` for the browser, and writes the files with their manifest entries into the
 * static-asset folder (`infra/openapi/assets.ts` calls {@link writeConsoleAssets}: into the
 * static-asset function's bundle at `cdk synth`, into the data folder at `npm start`). Build tooling,
 * so it lives in `infra/` and reads the browser code as files.
 *
 * `tsx infra/console/build.ts [--out DIR]` (`npm run build:console`) writes the folder on its own, to
 * look at (default `functions/console/dist/`).
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { CONSOLE_CSP } from '#console/csp.ts';

const APP = join(dirname(fileURLToPath(import.meta.url)), '../../functions/console/app');

/** One file the console serves. */
export interface BuiltAsset {
  readonly path: string;
  readonly contentType: string;
  readonly body: string;
}

/** Builds the console in memory; the asset names carry a content hash so they can be cached for good. */
export async function buildConsole(): Promise<BuiltAsset[]> {
  const result = await build({
    entryPoints: { app: join(APP, 'main.tsx'), console: join(APP, 'console.css') },
    bundle: true,
    write: false,
    outdir: '/out',
    format: 'esm',
    target: ['chrome120', 'firefox120', 'safari17'],
    minify: true,
    legalComments: 'none',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    logLevel: 'silent',
    // Browser code: nothing from Node, nothing from the functions beside it.
    platform: 'browser',
  });
  const out: BuiltAsset[] = [];
  const names: Record<string, string> = {};
  for (const file of result.outputFiles) {
    const ext = file.path.endsWith('.js') ? 'js' : 'css';
    const hash = createHash('sha256').update(file.contents).digest('hex').slice(0, 12);
    // One path segment under /console (`GET /console/{asset}`).
    const path = `/console/${ext === 'js' ? 'app' : 'console'}-${hash}.${ext}`;
    names[ext] = path;
    out.push({ path, contentType: ext === 'js' ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8', body: file.text });
  }
  const template = await readFile(join(APP, 'index.html'), 'utf8');
  const html = template.replace('%SCRIPT%', names.js ?? '').replace('%STYLE%', names.css ?? '');
  out.unshift({ path: '/console', contentType: 'text/html; charset=utf-8', body: html });
  return out;
}

/** The console page's Content-Security-Policy, the same one its function serves. */
export { CONSOLE_CSP as CONSOLE_PAGE_CSP } from '#console/csp.ts';
/** A script or stylesheet answer loads nothing itself and may not be framed. */
const FILE_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** One entry of a static-asset manifest: the file in the folder and the headers it is served with. */
export interface ManifestEntry {
  readonly file: string;
  readonly contentType: string;
  readonly cacheControl: string;
  readonly csp: string;
}

/**
 * Writes the console's files into a static-asset folder and returns their manifest entries: the page
 * revalidated on every load (a deploy shows at once), the hashed files cached for a year.
 */
export async function writeConsoleAssets(dir: string): Promise<Record<string, ManifestEntry>> {
  await mkdir(dir, { recursive: true });
  const out: Record<string, ManifestEntry> = {};
  for (const a of await buildConsole()) {
    const page = a.path === '/console';
    const file = page ? 'console.html' : a.path.slice('/console/'.length);
    await writeFile(join(dir, file), a.body);
    out[a.path] = { file, contentType: a.contentType, cacheControl: page ? 'no-cache' : 'public, max-age=31536000, immutable', csp: page ? CONSOLE_CSP : FILE_CSP };
  }
  return out;
}

/** Where `npm run build:console` writes by default. */
export const DIST = join(APP, '../dist');

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const i = process.argv.indexOf('--out');
  const target = (i > 0 ? process.argv[i + 1] : undefined) ?? DIST;
  const manifest = await writeConsoleAssets(target);
  await writeFile(join(target, 'manifest.json'), JSON.stringify(manifest, null, 2));
  console.log(`console: ${Object.keys(manifest).join(', ')} -> ${target}`);
}
