import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '#infra/build-app.ts';
import type { RungopherSandbox } from '#infra/local/sandboxes/rungopher.ts';
import { startRungopherSandbox } from '#infra/local/sandboxes/rungopher.ts';
import { startTestHub } from '#test/helpers/hub.ts';

/**
 * The `switchboard` bin as people run it: the bundled CLI (built here as `npm ci` builds it) in a
 * process of its own, on the project's Node, with only the environment each case gives it.
 */
const bin = join(PROJECT_ROOT, 'infra/cli/bin.mjs');
type TestHub = Awaited<ReturnType<typeof startTestHub>>;
let hub: TestHub;
let dir: string;
let sandbox: RungopherSandbox;

beforeAll(async () => {
  const built = spawnSync(process.execPath, [join(PROJECT_ROOT, 'infra/cli/build.mjs'), '--quiet'], { cwd: PROJECT_ROOT, encoding: 'utf8' });
  expect(built.status, built.stderr).toBe(0);
  hub = await startTestHub({ dataDir: (dir = await mkdtemp(join(tmpdir(), 'sb-cli-'))) });
  sandbox = await startRungopherSandbox({ apiKey: 'direct-key', seed: true });
}, 120_000);
afterAll(async () => {
  await sandbox?.stop();
  await hub?.cleanup();
  await rm(dir, { recursive: true, force: true });
});

/** The environment of a shell with none of the hub's or vendors' settings, plus `extra`. */
function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^(HUB_|RUNGOPHER_|GOODAYS_|NETCORE_)/.test(k)) env[k] = v;
  return { ...env, HUB_DATA_DIR: join(dir, 'nowhere'), ...extra };
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}
async function sb(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const child = spawn(process.execPath, [bin, ...args], { cwd: PROJECT_ROOT, env: cleanEnv(env) });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  return { code, stdout, stderr };
}
const operator = () => ({ HUB_OPERATOR_TOKEN: hub.env.HUB_OPERATOR_TOKEN ?? '' });
const noStack = (r: Run) => expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('switchboard, the bin', { timeout: 120_000 }, () => {
  it('--version prints the package version and exits 0; usage errors exit 2; --help exits 0', async () => {
    const v = await sb(['--version']);
    expect(v).toMatchObject({ code: 0, stdout: '0.1.0\n' });
    expect((await sb(['--help'])).code).toBe(0);
    const unknown = await sb(['no-such-command']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command/);
    const badArg = await sb(['rungopher', 'campaigns', 'get', 'abc']);
    expect(badArg.code).toBe(2);
    expect(badArg.stderr).toMatch(/not an id/);
    expect((await sb(['rungopher', 'contacts', 'upload', 'x.csv'])).code).toBe(2); // --campaign missing
  });

  it('takes the hub from --hub or HUB_URL in the same way, for the hub, Rungopher, Goodays and Netcore commands', async () => {
    for (const args of [['schedules', 'list'], ['queues', 'list'], ['rungopher', 'campaigns', 'list'], ['rungopher', 'templates'], ['netcore', 'usage'], ['netcore', 'users']]) {
      const byFlag = await sb([...args, '--hub', hub.url, '--json'], operator());
      const byEnv = await sb([...args, '--json'], { ...operator(), HUB_URL: hub.url });
      expect({ args, code: byFlag.code, err: byFlag.stderr }).toEqual({ args, code: 0, err: '' });
      expect({ args, code: byEnv.code }).toEqual({ args, code: 0 });
      expect(JSON.parse(byEnv.stdout)).toEqual(JSON.parse(byFlag.stdout));
    }
    const body = join(dir, 'not-a-goodays-event.json');
    await writeFile(body, '{"event_type":"response"}');
    for (const target of [['--hub', hub.url], []]) {
      const sent = await sb(['goodays', 'send', body, ...target, '--json'], { HUB_URL: hub.url, GOODAYS_HMAC_SECRETS: hub.env.GOODAYS_HMAC_SECRETS ?? '' });
      expect(sent.code).toBe(0);
      expect(JSON.parse(sent.stdout)).toMatchObject({ status: 200 });
    }
  }, 120_000);

  it('prints tables by default and JSON with --json', async () => {
    const human = await sb(['queues', 'list', '--hub', hub.url], operator());
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout.split('\n')[0]).toMatch(/^queue\s+depth\s+in flight\s+dlq depth$/);
    expect(human.stdout).toMatch(/\nrungopher-results\s+\d+\s+\d+\s+\d+/);
    const json = await sb(['queues', 'list', '--hub', hub.url, '--json'], operator());
    expect((JSON.parse(json.stdout) as { name: string }[]).map((q) => q.name)).toContain('rungopher-results');
    // The public operator routes (GET /queues, POST /queues/{queue}/redrive), with the token like every other.
    expect((await sb(['queues', 'list', '--hub', hub.url])).code).toBe(1);
    const redrive = await sb(['queues', 'redrive', 'rungopher-results', '--hub', hub.url, '--operator', 'ann', '--json'], operator());
    expect(redrive.code, redrive.stderr).toBe(0);
    expect(JSON.parse(redrive.stdout)).toMatchObject({ queue: 'rungopher-results', state: 'moved', moved: 0, by: 'ann' });
    expect((await sb(['queues', 'redrive', 'rungopher-results', '--hub', hub.url], operator())).stdout).toBe('rungopher-results: moved 0 message(s) from its DLQ back to the queue\n');
    const unknown = await sb(['queues', 'redrive', 'no-such-queue', '--hub', hub.url], operator());
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/404.*No queue named no-such-queue/);
    noStack(unknown);
    const schedules = await sb(['schedules', 'list', '--hub', hub.url]);
    expect(schedules.stdout.split('\n').length).toBeLessThan(20);
    expect(schedules.stdout).toMatch(/^schedule\s+every/);
  });

  it('status prints the hub\'s GET /status as tables, or as JSON with --json, from the one typed client', async () => {
    await hub.runSchedule('goodays-unprocessed');
    const human = await sb(['status', '--hub', hub.url], operator());
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/^Switchboard status at \d{4}-/);
    expect(human.stdout).toMatch(/\nwebhook\s+last accepted\n/);
    expect(human.stdout).toMatch(/\ngoodays-unprocessed\s+\d{4}-\S+\s+ok\s+\d+\s+count=\d+/);
    expect(human.stdout).toMatch(/\nrungopher-results\s+\d+\s+\d+\s+\d+/);
    expect(human.stdout).toMatch(/\nquarantine: \d+ bod(y|ies)/);
    const json = await sb(['status', '--json'], { ...operator(), HUB_URL: hub.url });
    expect(json.code).toBe(0);
    const body = JSON.parse(json.stdout) as { schedules: { name: string }[]; queues: { name: string }[] };
    expect(body.queues.map((q) => q.name)).toContain('rungopher-results');
    expect(body.schedules.map((q) => q.name)).toContain('netcore-users-poller');
    const noToken = await sb(['status', '--hub', hub.url]);
    expect(noToken.code).toBe(1);
    noStack(noToken);
  });

  it('a hub that is not running: exit 1, the URL named, no stack trace', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    for (const args of [['queues', 'list'], ['rungopher', 'campaigns', 'list'], ['netcore', 'usage']]) {
      const r = await sb([...args, '--hub', url], { HUB_OPERATOR_TOKEN: 't' });
      expect({ args, code: r.code }).toEqual({ args, code: 1 });
      expect(r.stderr).toContain(`No hub answers at ${url}`);
      noStack(r);
    }
  });

  it('a vendor that cannot be reached: exit 1, its host named, no stack trace', async () => {
    const port = await closedPort();
    const r = await sb(['rungopher', 'templates'], { RUNGOPHER_API_KEY: 'k', RUNGOPHER_BASE_URL: `http://127.0.0.1:${port}/api/v1` });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`127.0.0.1:${port}`);
    noStack(r);
  }, 30_000);

  it('a closed pipe (| head) ends quietly with exit 0', async () => {
    const id = (JSON.parse((await sb(['rungopher', 'campaigns', 'create', '--template', 'AcceptDecline', '--title', 't', '--transition-email', 'ops@example.com', '--json'], { RUNGOPHER_API_KEY: 'direct-key', RUNGOPHER_BASE_URL: sandbox.url })).stdout) as { id: number }).id;
    const csv = join(dir, 'bad.csv');
    // 4,000 invalid rows: hundreds of KB of JSON, far more than a pipe holds.
    await writeFile(csv, ['contactId,firstName,lastName,mobile', ...Array.from({ length: 4000 }, (_, i) => `c${i},A,B,not-a-number-${i}`)].join('\n'));
    // Spawned, not spawnSync: the sandbox answers from this process.
    const child = spawn('bash', ['-c', `"${process.execPath}" "${bin}" rungopher cost --campaign ${id} "${csv}" --json 2>"${dir}/err.txt" | head -n 2 >/dev/null; echo "\${PIPESTATUS[0]}"; cat "${dir}/err.txt"`], {
      cwd: PROJECT_ROOT,
      env: cleanEnv({ RUNGOPHER_API_KEY: 'direct-key', RUNGOPHER_BASE_URL: sandbox.url }),
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    await new Promise((r) => child.once('exit', r));
    const r = { stdout };
    const [code, ...err] = r.stdout.split('\n');
    expect({ code, err: err.join('\n').trim() }).toEqual({ code: '0', err: '' });
  });

  it('local info prints the running hub again from its data folder; exit 1 when none runs there', async () => {
    const r = await sb(['local', 'info'], { HUB_DATA_DIR: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Switchboard is running at ${hub.url}`);
    expect(r.stdout).toContain(`export HUB_URL=${hub.url} HUB_OPERATOR_TOKEN=${hub.env.HUB_OPERATOR_TOKEN ?? ''}`);
    expect(r.stdout).toContain(`RUNGOPHER_BASE_URL=${hub.sandboxes.rungopher?.url ?? ''}`);
    const json = JSON.parse((await sb(['local', 'info', '--json'], { HUB_DATA_DIR: dir })).stdout) as { running: boolean; url: string };
    expect(json).toMatchObject({ running: true, url: hub.url });
    const empty = await mkdtemp(join(tmpdir(), 'sb-empty-'));
    const none = await sb(['local', 'info'], { HUB_DATA_DIR: empty });
    expect(none.code).toBe(1);
    noStack(none);
    await rm(empty, { recursive: true, force: true });
  });

  it('Rungopher commands pointed at a hub use its routes: no Rungopher key on the operator side', async () => {
    const env = { ...operator(), HUB_URL: hub.url };
    const created = await sb(['rungopher', 'campaigns', 'create', '--template', 'AcceptDecline', '--title', 'via hub', '--transition-email', 'ops@example.com', '--json'], env);
    expect(created.code).toBe(0);
    const id = (JSON.parse(created.stdout) as { id: number }).id;
    const csv = join(dir, 'three.csv');
    await writeFile(csv, 'contactId,First Name,Surname,Mobile Number\nh1,Ann,Lee,0412 555 001\nh2,Bob,Lee,0412 555 002\nh3,Cat,Lee,0412 555 003\n');
    const up = await sb(['rungopher', 'contacts', 'upload', csv, '--campaign', String(id), '--batch-size', '2'], env);
    expect({ code: up.code, err: up.stderr }).toEqual({ code: 0, err: '' });
    expect(up.stdout).toMatch(/Upload job rgu_\w+ accepted by the hub/);
    expect(up.stdout).toMatch(/Started 3 contact\(s\)/);
    const again = await sb(['rungopher', 'contacts', 'upload', csv, '--campaign', String(id), '--json'], env);
    expect(JSON.parse(again.stdout)).toMatchObject({ state: 'done', progress: { started: 0, alreadyStarted: 3 } });
    expect((hub.sandboxes.rungopher as RungopherSandbox).contactsOf(id)).toHaveLength(3);
    const cost = await sb(['rungopher', 'cost', '--campaign', String(id), csv, '--json'], env);
    expect(JSON.parse(cost.stdout)).toMatchObject({ validation: { valid: 3 }, estimate: { contacts: 3 } });
  }, 60_000);
});
