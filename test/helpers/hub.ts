import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Hub, HubOptions } from '#infra/local/hub.ts';
import { localName } from '#infra/local/emulators.ts';
import type { FunctionDecl } from '#infra/topology/index.ts';
import { envForFunction, secrets } from '#infra/topology/index.ts';
import { startHub } from '#infra/local/hub.ts';
import { expectDocumented } from './openapi.ts';

/** A hub for one test file: random ports, a temp data folder, short visibility, no timers. */
export async function startTestHub(opts: HubOptions & { dataDir?: string } = {}): Promise<Hub & { cleanup(): Promise<void> }> {
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'switchboard-test-')));
  const env: Record<string, string | undefined> = { ...process.env, POWERTOOLS_LOG_LEVEL: process.env.SWITCHBOARD_LOG_SCAN === '1' ? 'DEBUG' : 'SILENT', POWERTOOLS_DEV: 'false', ...opts.env };
  for (const k of Object.keys(env)) if (/_(BASE_URL|WEBHOOK_TOKEN|OPERATOR_TOKEN|API_KEY|HMAC_SECRETS)$/.test(k) && !opts.env?.[k]) delete env[k];
  const hub = await startHub({ port: 0, timers: false, visibilityTimeoutSeconds: 1, log: () => undefined, ...opts, dataDir, env });
  return Object.assign(hub, {
    async cleanup() {
      await hub.stop();
      if (!opts.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  });
}

/** Polls until `check` returns a value or the time is up (the work happens in background consumers). */
export async function eventually<T>(check: () => Promise<T | undefined>, { timeoutMs = 15_000, intervalMs = 100 } = {}): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`Condition not met in ${timeoutMs} ms${last ? `: ${(last as Error).message}` : ''}`);
}

/**
 * A request to the hub with its operator token (`token: null` for none), its answer checked against
 * the OpenAPI document (`test/helpers/openapi.ts`): every suite sending operator requests checks the
 * document on the way.
 */
export async function operatorRequest(
  hub: Hub,
  method: string,
  path: string,
  init: { token?: string | null; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: Headers; text: string; body: unknown }> {
  const token = init.token === undefined ? hub.env.HUB_OPERATOR_TOKEN : init.token;
  const res = await fetch(`${hub.url}${path}`, { method, headers: { ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...init.headers }, ...(init.body !== undefined ? { body: init.body } : {}) });
  const text = await res.text();
  await expectDocumented({ method, path, status: res.status, contentType: res.headers.get('content-type'), body: text === '' ? undefined : text });
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, headers: res.headers, text, body };
}

/** Operator API GET with the hub's token, its answer checked against the OpenAPI document. */
export async function operatorGet(hub: Hub, path: string): Promise<{ status: number; body: unknown }> {
  const r = await operatorRequest(hub, 'GET', path);
  return { status: r.status, body: r.body };
}

/**
 * The environment one function gets on AWS, pointed at a test hub's emulators and sandboxes: its own
 * tables, queues, secret keys and settings only, not the whole hub's. (Locally every function shares
 * one process and one environment; this is how tests catch a function reaching past its declaration.)
 */
export function functionEnv(hub: Hub, fn: FunctionDecl): Record<string, string> {
  const env: Record<string, string> = envForFunction(fn, {
    table: (t) => localName(t),
    queueUrl: (q) => hub.queues[q].url,
    secretArn: () => '',
    dlqUrl: (q) => hub.queues[q].dlqUrl,
    ...(hub.env.HUB_EVENT_BUS ? { eventBus: hub.env.HUB_EVENT_BUS } : {}),
    subscriptions: Object.fromEntries(['HUB_SUBSCRIPTIONS', 'HUB_SUBSCRIPTION_QUEUES'].flatMap((k) => (hub.env[k] ? [[k, hub.env[k]]] : []))),
  });
  for (const k of Object.keys(env)) if (env[k] === '') delete env[k];
  // The emulator has no message move tasks; the runtime's own redrive stands in, as in the local hub.
  if (fn.operatesQueues) env.HUB_DLQ_REDRIVE = 'copy';
  for (const s of fn.secrets ?? []) {
    for (const key of [...secrets[s].generatedKeys, ...secrets[s].operatorKeys]) {
      const v = hub.env[key];
      if (v) env[key] = v;
    }
  }
  for (const [k, v] of Object.entries(hub.env)) {
    // AWS_LAMBDA_MAX_CONCURRENCY is the local runtime's (it runs every invocation in its own invoke
    // store); a bundle run in plain Node has no invoke store, as a Lambda without managed instances.
    if (/^(AWS_|POWERTOOLS_)|_BASE_URL$/.test(k) && k !== 'AWS_LAMBDA_MAX_CONCURRENCY') env[k] = v;
  }
  return env;
}
