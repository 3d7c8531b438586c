import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HubAlreadyRunningError, startHub } from '#infra/local/hub.ts';
import { startTestHub } from '#test/helpers/hub.ts';
import { spawnEntry, spawnHub } from '#test/helpers/npm-start.ts';

const dirs: string[] = [];
const tempDir = async () => {
  const d = await mkdtemp(join(tmpdir(), 'switchboard-folder-'));
  dirs.push(d);
  return d;
};
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** LISTEN sockets on `port` from /proc/net/tcp and tcp6, as [hex local address]. */
async function listeners(port: number): Promise<string[]> {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const out: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(file, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (state === '0A' && local?.endsWith(`:${hexPort}`)) out.push(local.slice(0, -5));
    }
  }
  return out;
}

describe('the data folder', () => {
  it('no emulator, gateway or sandbox listens beyond loopback', async () => {
    const hub = await startTestHub({ dataDir: await tempDir() });
    try {
      const ports = {
        gateway: hub.port,
        dynalite: hub.dynamoPort,
        fauxqs: hub.sqsPort,
        ...Object.fromEntries(Object.entries(hub.sandboxes).map(([v, s]) => [`${v} sandbox`, Number(new URL(s.url).port)])),
      };
      expect(Object.keys(ports)).toEqual(expect.arrayContaining(['rungopher sandbox', 'goodays sandbox', 'netcore sandbox']));
      for (const [what, port] of Object.entries(ports)) {
        const addrs = await listeners(port);
        expect(addrs.length, `${what} listens on ${port}`).toBeGreaterThan(0);
        // 0100007F is 127.0.0.1 in /proc's little-endian hex; anything else (0.0.0.0, ::) is reachable from outside.
        expect(addrs, `${what} on port ${port}`).toEqual(addrs.map(() => '0100007F'));
      }
    } finally {
      await hub.cleanup();
    }
  });

  it('a second hub on the same folder stops with a message naming the first; a clean stop frees it', async () => {
    const dataDir = await tempDir();
    const first = await startTestHub({ dataDir });
    try {
      const second = startHub({ dataDir, port: 0, timers: false, log: () => undefined });
      await expect(second).rejects.toBeInstanceOf(HubAlreadyRunningError);
      await expect(second).rejects.toThrow(new RegExp(`PID ${process.pid}, ${first.url.replace(/\./g, '\\.')}`));
    } finally {
      await first.stop();
    }
    const third = await startTestHub({ dataDir });
    await third.stop();
  });

  it('remembers the ports it chose and takes them again on restart', async () => {
    const dataDir = await tempDir();
    const first = await startTestHub({ dataDir });
    const ports = { hub: first.port, dynamo: first.dynamoPort, sqs: first.sqsPort, sandboxes: Object.fromEntries(Object.entries(first.sandboxes).map(([v, s]) => [v, s.url])) };
    await first.stop();
    const second = await startTestHub({ dataDir });
    try {
      expect({ hub: second.port, dynamo: second.dynamoPort, sqs: second.sqsPort, sandboxes: Object.fromEntries(Object.entries(second.sandboxes).map(([v, s]) => [v, s.url])) }).toEqual(ports);
    } finally {
      await second.stop();
    }
  });

  it('npm start: a second one on the folder says who runs it and exits 1; after a SIGKILL the lock is free again', async () => {
    const dataDir = await tempDir();
    const hub = await spawnHub(dataDir);
    // The hub's own PID (tsx runs it in a child node process), as it recorded it.
    const pid = (JSON.parse(await readFile(join(dataDir, 'hub.json'), 'utf8')) as { pid: number }).pid;
    try {
      // It prints the console's URL, and the console is there.
      const consoleUrl = /console\s+(http:\/\/\S+\/console)\s/.exec(hub.output())?.[1];
      expect(consoleUrl).toBe(`${hub.url}/console`);
      const page = await fetch(consoleUrl ?? '');
      expect({ status: page.status, type: page.headers.get('content-type') }).toEqual({ status: 200, type: 'text/html; charset=utf-8' });
      const second = spawnEntry(dataDir);
      const code = await Promise.race([second.exited, new Promise<string>((r) => setTimeout(() => r('timeout'), 60_000))]);
      expect(code).toBe(1);
      expect(second.output()).toContain(`Another hub is running on data folder ${dataDir}: PID ${pid}, ${hub.url}`);
      expect(second.output()).not.toMatch(/Database is closed|\n\s+at /);
    } finally {
      await hub.kill('SIGKILL');
    }
    // The killed hub left hub.json behind, but its OS lock died with it.
    const again = await spawnHub(dataDir);
    try {
      expect(again.output()).toContain(`the hub with PID ${pid} did not stop cleanly; taking over`);
      expect(again.url).toBe(hub.url);
    } finally {
      expect(await again.kill('SIGTERM')).toBe(0);
    }
  }, 120_000);

  it('the lock is an OS lock: a process holding it and killed frees it', async () => {
    const dataDir = await tempDir();
    // A bare holder of the lock (not a hub): takes it, says so, waits to be killed.
    const holder = spawn(process.execPath, ['--input-type=module', '-e', `import { DatabaseSync } from 'node:sqlite'; const db = new DatabaseSync(${JSON.stringify(join(dataDir, 'hub.lock'))}); db.exec('BEGIN EXCLUSIVE'); console.log('held'); setInterval(() => {}, 1000);`]);
    await new Promise<void>((resolve, reject) => {
      holder.stdout.on('data', (d: Buffer) => d.toString().includes('held') && resolve());
      holder.once('exit', () => reject(new Error('holder exited')));
    });
    await expect(startHub({ dataDir, port: 0, timers: false, log: () => undefined })).rejects.toThrow(/Another hub is running on data folder/);
    const gone = new Promise((r) => holder.once('exit', r));
    holder.kill('SIGKILL');
    await gone;
    const hub = await startTestHub({ dataDir });
    await hub.stop();
  });
});
