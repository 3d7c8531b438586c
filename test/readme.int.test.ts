import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '#infra/build-app.ts';
import { exportLines } from '#infra/local/cli-env.ts';
import { startTestHub } from '#test/helpers/hub.ts';

/**
 * The README runs: every shell line of its quick start and of each `### Walk-through` section
 * (`npm ci`, `npm start` and `npm test` themselves excepted) is executed, in order, against a hub,
 * with the environment the `export` lines of `npm start` give. `curl` fails on any HTTP error. After
 * each line the script waits until the hub's queues are empty, as a person would wait for the work
 * the line started.
 */

interface Block {
  readonly section: string;
  readonly commands: string[];
}

/** The shell blocks of the quick start and the walk-throughs, each command with its continuation lines joined. */
export function readmeBlocks(text: string): Block[] {
  const blocks: Block[] = [];
  let heading = '';
  let current: string[] | undefined;
  for (const line of text.split('\n')) {
    if (current) {
      if (line.startsWith('```')) {
        if (heading === 'Quick start' || heading.startsWith('Walk-through')) blocks.push({ section: heading, commands: commandsOf(current) });
        current = undefined;
      } else current.push(line);
      continue;
    }
    const h = /^#{2,4} (.+)$/.exec(line);
    if (h?.[1]) heading = h[1].trim();
    else if (line.startsWith('```sh')) current = [];
  }
  return blocks.filter((b) => b.commands.length > 0);
}

function commandsOf(lines: string[]): string[] {
  const out: string[] = [];
  let pending = '';
  for (const line of lines) {
    if (!pending && (line.trim() === '' || line.trim().startsWith('#'))) continue;
    pending += pending ? `\n${line}` : line;
    if (line.endsWith('\\')) continue;
    out.push(pending);
    pending = '';
  }
  return out.filter((c) => !/^npm (ci|start|test)\b/.test(c.trim()));
}

type TestHub = Awaited<ReturnType<typeof startTestHub>>;
let hub: TestHub;
const blocks = readmeBlocks(readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8'));

beforeAll(async () => {
  hub = await startTestHub();
}, 60_000);
afterAll(async () => {
  await hub?.cleanup();
});

/** The shell a reader has after pasting the `export` lines: those variables and nothing else of the hub's. */
function readerEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^(HUB_|RUNGOPHER_|GOODAYS_|NETCORE_)/.test(k)) env[k] = v;
  const lines = exportLines(hub.url, hub.env, Object.fromEntries(Object.entries(hub.sandboxes).map(([v, sb]) => [v, sb.url])));
  for (const l of lines) for (const [, k, v] of l.replace(/^export /, '').matchAll(/(\w+)=(\S*)/g)) if (k && v !== undefined) env[k] = v;
  return env;
}

async function bash(script: string, env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  const child = spawn('bash', ['-c', script], { cwd: PROJECT_ROOT, env });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  return { code, out };
}

describe('the README', () => {
  it('has a quick start and a walk-through for Rungopher, Goodays and Netcore', () => {
    expect(blocks.map((b) => b.section)).toEqual(['Quick start', 'Walk-through: campaign work through the hub', 'Walk-through: feedback, reply, the customer writes back, a private message', 'Walk-through: users, transcripts and usage from the sandbox', 'Walk-through: operating the hub']);
    for (const b of blocks) expect(b.commands.filter((c) => /\bcurl\b/.test(c)).length).toBeGreaterThanOrEqual(3);
  });

  it('runs as written: every curl line of the quick start and the walk-throughs succeeds, in order', async () => {
    const env = readerEnv();
    const lines = [
      'set -euo pipefail',
      // A reader sees an error status; the script stops on one.
      'curl() { command curl -sS --fail-with-body "$@"; }',
      // Waits (bounded) until no queue of the hub holds a message: the work a line started is done.
      `settle() { for _ in $(seq 1 600); do if ! command curl -s -H "Authorization: Bearer $HUB_OPERATOR_TOKEN" "$HUB_URL/queues" | grep -q '"depth":[1-9]'; then return 0; fi; sleep 0.1; done; echo 'queues did not drain' >&2; return 1; }`,
    ];
    for (const b of blocks) {
      for (const c of b.commands) {
        // The quick start names the default port; the test's hub listens on another.
        const cmd = c.replaceAll('http://127.0.0.1:3000', hub.url);
        // Single-quoted, so the echo itself expands nothing.
        const shown = `>>> ${c.split('\n')[0]?.slice(0, 120) ?? ''}`.replaceAll("'", `'\\''`);
        lines.push(`echo '${shown}'`, cmd, 'echo', 'settle');
      }
    }
    const run = await bash(lines.join('\n'), env);
    expect({ code: run.code, tail: run.code === 0 ? '' : run.out.slice(-3000) }).toEqual({ code: 0, tail: '' });
    // What the walk-throughs show did happen.
    const outbox = (await (await fetch(`${hub.sandboxes.goodays?.url ?? ''}/_sandbox/outbox`)).json()) as { action: string; content: string }[];
    expect(outbox.map((o) => [o.action, o.content])).toEqual([
      ['reply', 'Thank you, we are looking into it.'],
      ['message', 'Tomorrow morning.'],
    ]);
    expect(run.out).toMatch(/"state":"done"/);
    // The operating walk-through retried a body and moved a stream, as ann.
    expect(run.out).toMatch(/"retriedBy":"ann"/);
    expect(run.out).toMatch(/"audit":\[\{"stream":"netcore:users","at":"[^"]+","who":"ann","action":"reset"/);
  }, 300_000);
});
