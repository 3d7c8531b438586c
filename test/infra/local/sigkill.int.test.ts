import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { StartedHub } from '#test/helpers/npm-start.ts';
import { crashRun } from '#test/helpers/npm-start.ts';

/**
 * `npm start` killed as a crash kills it (SIGKILL of the whole process group, no stop handler runs):
 * whatever was answered 200 is stored once after a restart on the same data folder, also when the
 * restarted hub is killed again right after it came up (what it found queued must survive that too).
 */
const dirs: string[] = [];
const hubs: StartedHub[] = [];
afterAll(async () => {
  for (const h of hubs) await h.kill('SIGKILL');
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('a SIGKILL of npm start', () => {
  for (const killAfterRestart of [false, true]) {
    it(`loses nothing answered 200${killAfterRestart ? ', with a second SIGKILL right after the restart' : ''}`, async () => {
      const dataDir = await mkdtemp(join(tmpdir(), 'switchboard-sigkill-'));
      dirs.push(dataDir);
      const { figures, hub } = await crashRun(dataDir, { n: 300, concurrency: 16, killAfter: 150, killAfterRestart, idBase: killAfterRestart ? 700_000 : 600_000 });
      hubs.push(hub);
      expect(figures.acknowledged).toBeGreaterThanOrEqual(150);
      expect(figures.lost).toBe(0);
      expect(figures.storedThenMissing).toBe(0);
      expect(figures.storedTwice).toBe(0);
      // At least what was acknowledged, at most what was sent (a 200 the kill cut off may be stored too).
      expect(figures.storedAfter).toBeGreaterThanOrEqual(figures.acknowledged);
      expect(figures.storedAfter).toBeLessThanOrEqual(figures.sent);
    }, 240_000);
  }
});
