import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chaosRun } from '#test/helpers/chaos.ts';
import type { StartedHub } from '#test/helpers/npm-start.ts';

/**
 * The reduced fault run (`npm run chaos`'s code path): ~500 Rungopher webhooks, each sent 1–3 times
 * in shuffled order at concurrency 32, one SIGKILL of the hub's process group under load and a restart
 * on the same folder. Nothing answered 200 is lost or stored twice, and every 5xx was resent and stored.
 */
const dirs: string[] = [];
const hubs: StartedHub[] = [];
afterAll(async () => {
  for (const h of hubs) await h.kill('SIGKILL');
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('the reduced fault run', () => {
  it('loses nothing acknowledged and stores nothing twice across a SIGKILL under load', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'switchboard-chaos-'));
    dirs.push(dataDir);
    const { figures, hub } = await chaosRun(dataDir, { webhooks: 500, kills: 1, idBase: 900_000, drainMs: 45_000 });
    hubs.push(hub);
    expect(figures.faults.map((f) => f.kind)).toEqual(['SIGKILL under load']);
    expect(figures.sends).toBeGreaterThan(figures.webhooks);
    expect(figures.acknowledged).toBe(500);
    expect(figures.lost).toBe(0);
    expect(figures.storedTwice).toBe(0);
    expect(figures.storedRows).toBe(figures.stored);
    expect(figures.stored).toBe(500);
    expect(figures.ids5xxResentAndStored).toBe(figures.ids5xx);
  }, 90_000);
});
