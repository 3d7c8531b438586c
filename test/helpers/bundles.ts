import { execFileSync } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { build } from 'esbuild';
import type { BuildOptions } from 'esbuild';
import { BUNDLE_TARGET, ESM_REQUIRE_BANNER } from '#infra/constructs/hub-function.ts';

/**
 * Bundles an entry the way the stack's HubFunction does (minified ESM, everything bundled, `require`
 * shim, source maps off for the size figure). Target node20 so the bundle also loads on this machine.
 */
export async function bundleEntry(entry: string, outfile: string): Promise<number> {
  return bundleWith({ entryPoints: [entry] }, outfile);
}

/** Bundles source text (e.g. a bare SDK client) with the same options. */
export async function bundleSource(source: string, resolveDir: string, outfile: string): Promise<number> {
  return bundleWith({ stdin: { contents: source, resolveDir, loader: 'ts' } }, outfile);
}

/**
 * Bundles an entry (or source text) exactly as the stack's HubFunction has esbuild do it on `cdk synth`
 * (its `bundling` props as NodejsFunction passes them: ESM, target {@link BUNDLE_TARGET}, minified,
 * external source map without sources, main fields module then main, the `require` banner, nothing
 * external). For cold-start figures: the file Lambda loads. Returns the bundle's size in bytes.
 */
export async function stackBundle(input: StackInput, outfile: string): Promise<number> {
  await build({ ...stackOptions(input), outfile });
  return (await stat(outfile)).size;
}

/**
 * The files esbuild reads for {@link stackBundle}'s bundle of `input` (the metafile's inputs, paths
 * relative to the working directory), with the bytes each puts into the bundle (0 when tree-shaken).
 */
export async function stackBundleInputs(input: StackInput): Promise<Record<string, number>> {
  const { metafile } = await build({ ...stackOptions(input), outfile: 'bundle.mjs', write: false, metafile: true });
  const bytes: Record<string, number> = Object.fromEntries(Object.keys(metafile.inputs).map((path) => [path, 0]));
  for (const out of Object.values(metafile.outputs)) for (const [path, { bytesInOutput }] of Object.entries(out.inputs)) bytes[path] = (bytes[path] ?? 0) + bytesInOutput;
  return bytes;
}

type StackInput = string | { source: string; resolveDir: string };

function stackOptions(input: StackInput): BuildOptions {
  return {
    ...(typeof input === 'string' ? { entryPoints: [input] } : { stdin: { contents: input.source, resolveDir: input.resolveDir, loader: 'ts' } }),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: BUNDLE_TARGET,
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    mainFields: ['module', 'main'],
    banner: { js: ESM_REQUIRE_BANNER },
    logLevel: 'silent',
  };
}

async function bundleWith(input: Pick<BuildOptions, 'entryPoints' | 'stdin'>, outfile: string): Promise<number> {
  await build({
    ...input,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify: true,
    mainFields: ['module', 'main'],
    banner: { js: ESM_REQUIRE_BANNER },
    outfile,
    logLevel: 'silent',
  });
  return (await stat(outfile)).size;
}

/** Median time to import a bundle in a fresh Node process (a cold start's module-load share). */
export function importTimeMs(file: string, env: Record<string, string | undefined>, runs = 7): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const out = execFileSync(process.execPath, ['-e', `const t=performance.now();import(${JSON.stringify(file)}).then(()=>console.log(performance.now()-t))`], {
      env: { ...process.env, AWS_REGION: 'us-east-1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
    });
    times.push(Number(out.toString().trim()));
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? NaN;
}
