// One cold start in a fresh plain Node process, as Lambda does it: import the module (a function's
// bundle, or a bundle of the bare SDK clients it uses), then one call (its handler with the event given
// as JSON on stdin, or the bare bundle's `call()`: one request per client to the emulators). Prints
// {"importMs":…,"invokeMs":…,"importCpuMs":…,"invokeCpuMs":…,"ok":true,"result":…} or {"ok":false,"error":…}.
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { pathToFileURL } from 'node:url';

const [file, kind] = process.argv.slice(2);
let input = '';
for await (const chunk of process.stdin) input += chunk;
const event = input ? JSON.parse(input) : undefined;
const context = {
  functionName: 'cold',
  awsRequestId: `cold-${process.pid}`,
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:cold',
  memoryLimitInMB: '512',
  getRemainingTimeInMillis: () => Number(process.env.COLD_TIMEOUT_MS ?? 30_000),
};
try {
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const c0 = cpu();
  const t0 = performance.now();
  const mod = await import(pathToFileURL(file).href);
  const t1 = performance.now();
  const c1 = cpu();
  const result = kind === 'bare' ? await mod.call() : await mod.handler(event, context);
  const t2 = performance.now();
  const c2 = cpu();
  // CPU time beside wall time: on a loaded machine the wall time also holds waiting for a core.
  process.stdout.write(JSON.stringify({ ok: true, importMs: t1 - t0, invokeMs: t2 - t1, importCpuMs: c1 - c0, invokeCpuMs: c2 - c1, result: kind === 'bare' ? undefined : result }));
} catch (err) {
  process.stdout.write(JSON.stringify({ ok: false, error: String(err?.stack ?? err) }));
}
