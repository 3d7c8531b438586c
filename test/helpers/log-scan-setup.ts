import { afterAll, beforeAll, expect, vi } from 'vitest';
import { findPersonalText } from '#platform/identity.ts';

/**
 * `npm run test:log-scan` (SWITCHBOARD_LOG_SCAN=1): every integration file's in-process hubs log at
 * DEBUG (see `startTestHub`), and so do the handlers a file drives itself (the level is set here,
 * before the file imports the logger); every line printed is kept, and the file fails if any line
 * holds a phone number or an e-mail address. Hubs run as child processes (`npm start` tests) are not scanned.
 * A test that spies on the console itself keeps its own lines.
 */
if (process.env.SWITCHBOARD_LOG_SCAN === '1') {
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
  const lines: string[] = [];
  beforeAll(() => {
    const keep = (chunk: unknown) => {
      lines.push(...String(chunk).split('\n').filter((l) => l.trim() !== ''));
      return true;
    };
    vi.spyOn(process.stdout, 'write').mockImplementation(keep);
    vi.spyOn(process.stderr, 'write').mockImplementation(keep);
    for (const m of ['log', 'info', 'warn', 'error', 'debug'] as const) vi.spyOn(console, m).mockImplementation(keep);
  });
  afterAll(() => {
    vi.restoreAllMocks();
    const leaks = lines.flatMap((l) => findPersonalText(l).map((m) => `${m} in: ${l.slice(0, 300)}`));
    expect(leaks).toEqual([]);
  });
}
