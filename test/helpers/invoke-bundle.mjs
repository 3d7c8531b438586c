// Loads one Lambda bundle as the Lambda runtime does (plain Node, no TypeScript loader) and calls its
// handler with the event given as JSON on stdin. Prints {"ok":true,"result":...} or {"ok":false,"error":...}.
import process from 'node:process';
import { pathToFileURL } from 'node:url';

const [bundle] = process.argv.slice(2);
let input = '';
for await (const chunk of process.stdin) input += chunk;
const event = JSON.parse(input);
const context = {
  functionName: 'smoke',
  awsRequestId: 'smoke-request',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:smoke',
  memoryLimitInMB: '512',
  // The function's own timeout, as Lambda would give it (the caller passes it from the topology).
  getRemainingTimeInMillis: () => Number(process.env.SMOKE_TIMEOUT_MS ?? 30_000),
};
try {
  const mod = await import(pathToFileURL(bundle).href);
  const result = await mod.handler(event, context);
  process.stdout.write(JSON.stringify({ ok: true, result }));
} catch (err) {
  process.stdout.write(JSON.stringify({ ok: false, error: String(err?.stack ?? err) }));
}
