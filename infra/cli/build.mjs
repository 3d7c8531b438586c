// Builds the `switchboard` CLI into infra/cli/dist/ (run by `npm ci` through the `prepare` script,
// and by `npm run build:cli`): ESM, split so that a vendor's commands load only when they run, so the
// bin starts without transpiling TypeScript or reading code it does not need.
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import console from 'node:console';
import process from 'node:process';
import { URL, fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(new URL('package.json', `file://${root}`), 'utf8'));
const outdir = fileURLToPath(new URL('./dist/', import.meta.url));
await rm(outdir, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: { main: 'infra/cli/main.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: `node${String(pkg.devDependencies.node).split('.')[0]}`,
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  minify: true,
  sourcemap: 'linked',
  // The hub (`switchboard start`) runs the functions from source through tsx, as npm start does.
  external: ['tsx', 'tsx/*'],
  define: { SWITCHBOARD_VERSION: JSON.stringify(pkg.version) },
  // CommonJS packages inside an ESM bundle may require Node's modules.
  banner: { js: "import { createRequire as __sbCreateRequire } from 'node:module'; const require = __sbCreateRequire(import.meta.url);" },
  metafile: true,
  logLevel: 'warning',
});
const bytes = Object.entries(result.metafile.outputs).filter(([f]) => f.endsWith('.mjs')).reduce((n, [, o]) => n + o.bytes, 0);
if (!process.argv.includes('--quiet')) console.log(`switchboard CLI built into infra/cli/dist (${Math.round(bytes / 1024)} KiB in ${Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.mjs')).length} files)`);
