import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '#infra/build-app.ts';
import { functionList, vendors } from '#infra/topology/index.ts';

/** `npm start` as a user runs it: the real entry in its own process, stopped with SIGTERM. */
let child: ChildProcess;
let output = '';
let url = '';
let dataDir = '';
const tsx = resolve(PROJECT_ROOT, 'node_modules/.bin/tsx');

function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const p = spawn(tsx, args, { cwd: PROJECT_ROOT, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (code) => done({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'switchboard-start-'));
  const env: Record<string, string | undefined> = { ...process.env, HUB_PORT: '0', HUB_DATA_DIR: dataDir, POWERTOOLS_LOG_LEVEL: 'SILENT' };
  // Nothing of the caller's vendor settings (base URLs, keys, sandbox switches) may leak into the hub.
  const ownSettings = new RegExp(`^(${[...vendors.map((v) => v.name.toUpperCase()), 'HUB_OPERATOR', 'HUB_URL'].join('|')})`);
  for (const k of Object.keys(env)) if (ownSettings.test(k)) delete env[k];
  child = spawn(tsx, ['infra/local/main.ts'], { cwd: PROJECT_ROOT, env });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const until = Date.now() + 60_000;
  while (!/Press Ctrl\+C to stop/.test(output)) {
    if (Date.now() > until || child.exitCode !== null) throw new Error(`npm start did not come up:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  url = /Switchboard is running at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1] ?? '';
}, 90_000);

afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await rm(dataDir, { recursive: true, force: true });
});

describe('npm start', () => {
  it('prints where everything is, with the tokens it generated', async () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const secrets = JSON.parse(await readFile(join(dataDir, 'local-secrets.json'), 'utf8')) as Record<string, string>;
    expect(output).toContain(`${url}/webhooks/rungopher/${secrets.RUNGOPHER_WEBHOOK_TOKEN}`);
    expect(output).toContain(`HUB_OPERATOR_TOKEN=${secrets.HUB_OPERATOR_TOKEN}`);
    expect(output).toContain(`GOODAYS_HMAC_SECRETS=${secrets.GOODAYS_HMAC_SECRETS}`);
    expect(output).toContain(dataDir);
    expect(output).toMatch(/rungopher\s+http:\/\/127\.0\.0\.1:\d+\/api\/v1/);
    expect((await fetch(`${url}/health`)).status).toBe(200);
  });

  it('lists schedules and runs one on demand, over HTTP and with the CLI', async () => {
    const list = (await (await fetch(`${url}/_local/schedules`)).json()) as { schedules: { name: string; rateMinutes: number }[] };
    expect(list.schedules.map((s) => s.name).sort()).toEqual(functionList().filter((f) => f.trigger.kind === 'schedule').map((f) => f.name).sort());
    const cli = await run(['infra/cli/main.ts', 'schedules', 'run', 'goodays-unprocessed', '--hub', url, '--json'], {});
    expect(cli.code).toBe(0);
    expect(JSON.parse(cli.stdout)).toMatchObject({ name: 'goodays-unprocessed', ok: true });
    const after = (await (await fetch(`${url}/_local/schedules`)).json()) as { schedules: { name: string; lastRun?: { ok: boolean } }[] };
    expect(after.schedules.find((s) => s.name === 'goodays-unprocessed')?.lastRun?.ok).toBe(true);
    const missing = await run(['infra/cli/main.ts', 'schedules', 'run', 'no-such-schedule', '--hub', url], {});
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/404/);
  }, 60_000);

  it('stops cleanly on SIGTERM', async () => {
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toMatch(/Stopped\./);
  }, 30_000);
});
