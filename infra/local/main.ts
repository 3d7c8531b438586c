import type { FunctionDecl } from '#infra/topology/index.ts';
import { functionList, vendors } from '#infra/topology/index.ts';
import { sandboxes } from '#infra/local/sandboxes/index.ts';
import { exportLines } from './cli-env.ts';
import { HubAlreadyRunningError, startHub } from './hub.ts';

/**
 * `npm start`: the whole hub on this machine. Prints what it started and where, and stops cleanly on
 * SIGINT/SIGTERM. Queued messages are on disk in the data folder at every moment, so even a kill
 * loses nothing that was answered.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const hub = await startHub().catch((err: unknown) => {
  if (!(err instanceof HubAlreadyRunningError)) throw err;
  console.error(err.message);
  process.exit(1);
});
const lines = [
  '',
  `Switchboard is running at ${hub.url}`,
  `  console          ${hub.url}/console (sign in with the operator token below)`,
  `  data folder      ${hub.dataDir} (DynamoDB and SQS data, generated tokens, ports; one hub at a time)`,
  `  DynamoDB         dynalite on 127.0.0.1:${hub.dynamoPort}`,
  `  SQS              fauxqs on 127.0.0.1:${hub.sqsPort}`,
  '',
  'Routes:',
  ...functionList().flatMap((f) => (f.trigger.kind === 'http' ? f.trigger.routes.map((r) => `  ${r.method.padEnd(5)} ${hub.url}${r.path}   (${f.name})`) : [])),
  '',
  'Webhook URLs to register:',
  ...webhookLines(hub),
  '',
  'Queues:',
  ...Object.values(hub.queues).map((q) => `  ${q.name} (DLQ ${q.dlqName}, visibility ${q.visibilityTimeoutSeconds}s, maxReceiveCount ${q.maxReceiveCount})`),
  '',
  'Schedules (run one now: POST /_local/schedules/{name} or `switchboard schedules run NAME`):',
  ...hub.schedules().map((s) => `  ${s.name} every ${s.rateMinutes} min`),
  '',
  'Vendor sandboxes:',
  ...(Object.entries(hub.sandboxes).length ? Object.entries(hub.sandboxes).map(([v, s]) => `  ${v.padEnd(16)} ${s.url}`) : ['  (none: every vendor base URL is set)']),
  '',
  `Operator token (Authorization: Bearer ...): ${hub.env.HUB_OPERATOR_TOKEN}`,
  ...(hub.generated.length ? [`Generated (kept in ${hub.dataDir}/local-secrets.json, reused on restart):`, ...hub.generated.map((k) => `  ${k}=${hub.env[k] ?? ''}`)] : []),
  '',
  'To use the CLI against this hub and its sandboxes, in another shell (`switchboard local info` prints them again):',
  ...exportLines(hub.url, hub.env, Object.fromEntries(Object.entries(hub.sandboxes).map(([v, sb]) => [v, sb.url]))).map((l) => `  ${l}`),
  '',
  'Press Ctrl+C to stop.',
];
console.log(lines.join('\n'));

/**
 * One line per vendor that takes webhooks (a route under `/webhooks/`), shown the way its sandbox
 * declares, or as the bare route.
 */
function webhookLines(h: typeof hub): string[] {
  return vendors.flatMap((v) => {
    const paths = Object.values<FunctionDecl>(v.functions).flatMap((f) => (f.trigger.kind === 'http' ? f.trigger.routes.map((r) => r.path).filter((p) => p.startsWith('/webhooks/')) : []));
    if (!paths.length) return [];
    const show = sandboxes.find((s) => s.vendor === v.name)?.webhookUrl;
    return (show ? [show(h.url, h.env)] : paths.map((p) => `${h.url}${p}`)).map((u) => `  ${v.title.padEnd(16)} ${u}`);
  });
}

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping (finishing in-flight work; queued messages stay in the data folder)...`);
    hub.stop().then(
      () => {
        console.log('Stopped.');
        process.exit(0);
      },
      (err: unknown) => {
        console.error('Stop failed:', err);
        process.exit(1);
      },
    );
  });
}
