import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerGoodaysCommands } from '#infra/cli/goodays.ts';
import type { GoodaysSandbox } from '#infra/local/sandboxes/goodays.ts';
import { startGoodaysSandbox } from '#infra/local/sandboxes/goodays.ts';

let sandbox: GoodaysSandbox;
let dir: string;
beforeAll(async () => {
  sandbox = await startGoodaysSandbox({ port: 0, hubUrl: () => 'http://127.0.0.1:9', env: { GOODAYS_API_TOKEN: 'cli-token' } });
  dir = await mkdtemp(join(tmpdir(), 'goodays-cli-'));
});
afterAll(async () => {
  await sandbox.stop();
  await rm(dir, { recursive: true, force: true });
});

function cli(env: Record<string, string>) {
  const lines: string[] = [];
  const program = new Command().exitOverride();
  registerGoodaysCommands(program, { env, out: (l) => lines.push(l) });
  return { program, lines };
}

describe('switchboard goodays', () => {
  it('samples: writes one fixture per event type from the events endpoint', async () => {
    const { program, lines } = cli({ GOODAYS_BASE_URL: sandbox.url, GOODAYS_API_TOKEN: 'cli-token' });
    await program.parseAsync(['node', 'switchboard', 'goodays', 'samples', '--out', dir]);
    const files = (await readdir(dir)).sort();
    expect(files).toEqual(['goodays-delegated-1.json', 'goodays-message-1.json', 'goodays-response-1.json']);
    const response = JSON.parse(await readFile(join(dir, 'goodays-response-1.json'), 'utf8')) as { event_type: string };
    expect(response.event_type).toBe('response');
    expect(lines.at(-1)).toBe('3 sample(s)');
    expect(sandbox.requests().at(-1)).toMatchObject({ path: '/v2/events', authorization: 'cli-token' });
  });

  it('samples: refuses to run without a token', async () => {
    const { program } = cli({ GOODAYS_BASE_URL: sandbox.url });
    await expect(program.parseAsync(['node', 'switchboard', 'goodays', 'samples'])).rejects.toThrow(/GOODAYS_API_TOKEN/);
  });

  it('sign: prints the HMAC of the exact bytes', async () => {
    const file = join(dir, 'body.json');
    await writeFile(file, 'what do ya want for nothing?');
    const { program, lines } = cli({ GOODAYS_HMAC_SECRETS: 'Jefe,older' });
    await program.parseAsync(['node', 'switchboard', 'goodays', 'sign', file]);
    expect(lines).toEqual(['5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843']);
  });
});
