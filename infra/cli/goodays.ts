import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_GOODAYS_BASE_URL, goodaysClient } from '#goodays/adapters/client.ts';
import { parseSecrets, sign } from '#goodays/domain/signature.ts';
import { CliError, HubError, hubClient, hubUrl } from './hub-client.ts';

/** The hub routes the Goodays commands call (a test holds them to the hub's declared routes). */
export const GOODAYS_HUB_OPERATIONS = ['POST /webhooks/goodays'] as const;

/** Where the CLI writes and reads; injected by tests. */
export interface GoodaysCliIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly out: (line: string) => void;
  readonly fetchImpl?: typeof fetch;
}

const defaultIo: GoodaysCliIo = { env: process.env, out: (line) => console.log(line) };

/**
 * Registers `goodays` commands on the CLI:
 * - `goodays samples [--type <event type>] [--out <dir>]`: the events endpoint's sample payloads, as
 *   fixtures (one file per sample) or printed.
 * - `goodays sign <file> [--secret <s>]`: the X-HMAC-SHA256 of a file's exact bytes.
 * - `goodays send <file> --hub <url>`: posts a file to `{hub}/webhooks/goodays`, signed.
 */
export function registerGoodaysCommands(program: Command, io: GoodaysCliIo = defaultIo): Command {
  const goodays = program.command('goodays').description('Goodays Converse: samples, signatures, test webhooks');

  goodays
    .command('samples')
    .description('Fetch sample payloads from the Goodays events endpoint (GOODAYS_BASE_URL, GOODAYS_API_TOKEN)')
    .option('-t, --type <eventType>', 'only this event type (response, message, delegated)')
    .option('-o, --out <dir>', 'write one JSON file per sample into this folder')
    .action(async (opts: { type?: string; out?: string }) => {
      const token = io.env.GOODAYS_API_TOKEN;
      if (!token) throw new Error('Set GOODAYS_API_TOKEN (and GOODAYS_BASE_URL for anything but the production API)');
      const client = goodaysClient({ baseUrl: io.env.GOODAYS_BASE_URL || DEFAULT_GOODAYS_BASE_URL, token, fetchImpl: io.fetchImpl });
      const samples = await client.samples(opts.type);
      if (!opts.out) {
        io.out(JSON.stringify(samples, null, 2));
        return;
      }
      await mkdir(opts.out, { recursive: true });
      const counts = new Map<string, number>();
      for (const sample of samples) {
        const type = sample && typeof sample === 'object' && typeof (sample as { event_type?: unknown }).event_type === 'string' ? String((sample as { event_type: string }).event_type) : 'unknown';
        const n = (counts.get(type) ?? 0) + 1;
        counts.set(type, n);
        const file = join(opts.out, `goodays-${type.replace(/[^a-z0-9_-]/gi, '_')}-${n}.json`);
        await writeFile(file, `${JSON.stringify(sample, null, 2)}\n`);
        io.out(file);
      }
      io.out(`${samples.length} sample(s)`);
    });

  goodays
    .command('sign')
    .description("Print the X-HMAC-SHA256 of a file's exact bytes (first secret of GOODAYS_HMAC_SECRETS by default)")
    .argument('<file>')
    .option('-s, --secret <secret>', 'secret to sign with')
    .action(async (file: string, opts: { secret?: string }) => {
      const secret = opts.secret ?? parseSecrets(io.env.GOODAYS_HMAC_SECRETS)[0];
      if (!secret) throw new Error('Give --secret or set GOODAYS_HMAC_SECRETS');
      io.out(sign(await readFile(file), secret));
    });

  goodays
    .command('send')
    .description('Post a file to {hub}/webhooks/goodays as Goodays would, signed with the first secret')
    .argument('<file>')
    .option('--hub <url>', 'hub base URL (default HUB_URL, else http://127.0.0.1:$HUB_PORT or 3000)')
    .option('-s, --secret <secret>', 'secret to sign with')
    .option('--json', 'print the answer as JSON')
    .action(async (file: string, opts: { hub?: string; secret?: string; json?: boolean }) => {
      const body = await readFile(file);
      const secret = opts.secret ?? parseSecrets(io.env.GOODAYS_HMAC_SECRETS)[0];
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (secret) headers['x-hmac-sha256'] = sign(body, secret);
      const hub = hubClient({ url: hubUrl(opts.hub, io.env), ...(io.fetchImpl ? { fetchImpl: io.fetchImpl } : {}) });
      try {
        const answer = await hub.request('POST', '/webhooks/goodays', { raw: { body, headers }, auth: false });
        io.out(opts.json ? JSON.stringify({ status: 200, body: answer }) : `200 ${JSON.stringify(answer)}`);
      } catch (err) {
        if (!(err instanceof HubError)) throw err;
        io.out(opts.json ? JSON.stringify({ status: err.status, body: err.body }) : `${err.status} ${JSON.stringify(err.body)}`);
        throw new CliError(`The hub refused the webhook (${err.status})`);
      }
    });

  return goodays;
}
