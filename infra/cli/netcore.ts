import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import * as z from 'zod';
import { CHANNELS, CHANNEL_IDS, USER_CHANNEL_IDS } from '#netcore/domain/channels.ts';
import { netcoreClientFromEnv } from '#netcore/adapters/client.ts';
import { CliError, HubError, hubClient, hubUrl, operatorToken } from './hub-client.ts';

/** The hub routes the Netcore commands call (a test holds them to the hub's declared routes). */
export const NETCORE_HUB_OPERATIONS = ['GET /queues', 'GET /netcore/usage', 'GET /netcore/users', 'GET /netcore/users/{botUserId}', 'GET /netcore/users/{botUserId}/transcripts'] as const;

/** What the Netcore commands need from outside; tests pass their own. */
export interface NetcoreCliDeps {
  /** Hub base URL. @default HUB_URL, else http://127.0.0.1:<HUB_PORT or 3000> */
  readonly hubUrl?: () => string;
  /** Operator token. @default HUB_OPERATOR_TOKEN, else the local hub's `<HUB_DATA_DIR>/local-secrets.json` */
  readonly operatorToken?: () => string;
  /** Where output goes. @default console.log */
  readonly print?: (line: string) => void;
  readonly fetchImpl?: typeof fetch;
}

export { CliError };

function defaultToken(): string {
  const token = operatorToken();
  if (token) return token;
  throw new CliError('Set HUB_OPERATOR_TOKEN (on AWS: the "hub" secret), or run from the folder of a local hub');
}

/**
 * Registers `netcore ...` on a commander program:
 * - `netcore sync-now [--no-usage] [--wait]`: runs the usage and users pollers on the local hub now;
 *   `--wait` waits until the transcripts queue is empty.
 * - `netcore usage [--month YYYY-MM] [--channel ID]`, `netcore users [--channel] [--after] [--limit] [--all]`,
 *   `netcore user <botUserId>`, `netcore transcripts <botUserId> [--channel] [--after] [--limit] [--all]`:
 *   the operator API (HUB_URL + HUB_OPERATOR_TOKEN), as JSON with `--json`.
 * - `netcore channels`: the channel ids and names.
 * - `netcore check`: logs in to NETCORE_BASE_URL with NETCORE_APP_ID/NETCORE_APP_SECRET and reads this
 *   month's usage, to check credentials and paths before deploying.
 */
export function registerNetcoreCommands(program: Command, deps: NetcoreCliDeps = {}): Command {
  const token = () => deps.operatorToken?.() ?? defaultToken();
  const print = deps.print ?? ((line: string) => console.log(line));

  /** The `--hub` of the command being run (every command takes it; HUB_URL otherwise). */
  let hubOption: string | undefined;
  const client = () => hubClient({ url: deps.hubUrl?.() ?? hubUrl(hubOption), token: token(), ...(deps.fetchImpl ? { fetchImpl: deps.fetchImpl } : {}) });

  async function call(method: 'GET' | 'POST', path: string, auth: boolean): Promise<unknown> {
    try {
      return await client().request(method, path, { auth });
    } catch (err) {
      if (err instanceof HubError) throw new CliError(err.message);
      throw err;
    }
  }

  const query = (params: Record<string, string | undefined>) => {
    const q = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined)).toString();
    return q ? `?${q}` : '';
  };

  /** Reads every page of a cursor-paged operator route. */
  async function pages(path: string, params: Record<string, string | undefined>, all: boolean): Promise<unknown[]> {
    return client().pages(path, params, all);
  }

  const netcore = program.command('netcore').description('Netcore Bot Open API: sync, usage, users and transcripts');
  netcore.hook('preAction', (_netcore, command) => {
    hubOption = (command.opts() as { hub?: string }).hub;
  });

  netcore
    .command('sync-now')
    .description('run the Netcore usage and users pollers on the local hub now (the users poller queues transcripts jobs)')
    .option('--no-usage', 'skip the usage poller')
    .option('--wait', 'wait until the transcripts queue is empty')
    .option('--timeout <seconds>', 'longest wait with --wait', '300')
    .action(async (opts: { usage: boolean; wait?: boolean; timeout: string }) => {
      const names = [...(opts.usage ? ['netcore-usage-poller'] : []), 'netcore-users-poller'];
      for (const name of names) {
        let outcome: unknown;
        try {
          outcome = await call('POST', `/_local/schedules/${name}`, false);
        } catch (err) {
          if (err instanceof CliError && / 404:/.test(err.message)) {
            throw new CliError(`${deps.hubUrl?.() ?? hubUrl(hubOption)} is not a local hub; on AWS invoke the function instead: aws lambda invoke --function-name <stack>-${name} out.json`);
          }
          throw err;
        }
        print(`${name}: ${JSON.stringify(outcome)}`);
      }
      if (!opts.wait) return;
      const until = Date.now() + Number(opts.timeout) * 1000;
      const Queues = z.object({ items: z.array(z.object({ name: z.string(), depth: z.number(), dlqDepth: z.number() })) });
      for (;;) {
        const q = Queues.parse(await call('GET', '/queues', true)).items.find((x) => x.name === 'netcore-transcripts');
        if (!q) throw new CliError('the hub has no netcore-transcripts queue');
        if (q.depth === 0) {
          print(`netcore-transcripts: drained${q.dlqDepth ? `, ${q.dlqDepth} job(s) in the DLQ` : ''}`);
          return;
        }
        if (Date.now() > until) throw new CliError(`netcore-transcripts still holds ${q.depth} job(s) after ${opts.timeout} s`);
        await sleep(250);
      }
    });

  netcore
    .command('usage')
    .description('monthly usage per channel and in total')
    .option('--month <YYYY-MM>', 'month (default: this one)')
    .option('--channel <id>', 'one channel id, or "all" for the bot total')
    .option('--json', 'print JSON')
    .action(async (opts: { month?: string; channel?: string; json?: boolean }) => {
      const body = z
        .object({ items: z.array(z.object({ month: z.string(), channelId: z.string(), channelName: z.string().nullish(), totalMessages: z.number(), totalUsers: z.number(), refreshedAt: z.string().nullish() })) })
        .parse(await call('GET', `/netcore/usage${query({ month: opts.month, channelId: opts.channel })}`, true));
      if (opts.json) return print(JSON.stringify(body, null, 2));
      print(`usage ${opts.month ?? body.items[0]?.month ?? 'this month'}`);
      for (const i of body.items) print(`  ${String(i.channelId).padEnd(5)} ${String(i.channelName ?? '').padEnd(22)} messages ${i.totalMessages}  users ${i.totalUsers}  (refreshed ${i.refreshedAt ?? '-'})`);
      if (body.items.length === 0) print('  nothing stored for this month yet: run `netcore sync-now`');
    });

  netcore
    .command('users')
    .description('users by last activity, oldest first')
    .option('--channel <id>', `channel id (${USER_CHANNEL_IDS.join(', ')})`)
    .option('--after <iso>', 'only users active after this time')
    .option('--limit <n>', 'users per page', '50')
    .option('--all', 'every page')
    .option('--json', 'print JSON')
    .action(async (opts: { channel?: string; after?: string; limit: string; all?: boolean; json?: boolean }) => {
      const items = await pages('/netcore/users', { channelId: opts.channel, after: opts.after, limit: opts.limit }, opts.all ?? false);
      if (opts.json) return print(JSON.stringify(items, null, 2));
      const Row = z.object({ botUserId: z.string(), channelId: z.string().nullish(), userName: z.string().nullish(), lastInteractedAt: z.string().nullish() });
      for (const raw of items) {
        const u = Row.parse(raw);
        print(`${String(u.lastInteractedAt ?? '-').padEnd(25)} ${String(u.channelId ?? '-').padEnd(5)} ${u.botUserId}  ${u.userName ?? ''}`);
      }
      print(`${items.length} user(s)`);
    });

  netcore
    .command('user <botUserId>')
    .description('one user on each channel, with custom fields and tags')
    .action(async (botUserId: string) => {
      print(JSON.stringify(await call('GET', `/netcore/users/${encodeURIComponent(botUserId)}`, true), null, 2));
    });

  netcore
    .command('transcripts <botUserId>')
    .description("a user's messages in time order")
    .option('--channel <id>', 'one channel id')
    .option('--after <iso>', 'only messages after this time')
    .option('--limit <n>', 'messages per page', '100')
    .option('--all', 'every page')
    .option('--json', 'print JSON')
    .action(async (botUserId: string, opts: { channel?: string; after?: string; limit: string; all?: boolean; json?: boolean }) => {
      const items = await pages(`/netcore/users/${encodeURIComponent(botUserId)}/transcripts`, { channelId: opts.channel, after: opts.after, limit: opts.limit }, opts.all ?? false);
      if (opts.json) return print(JSON.stringify(items, null, 2));
      const Row = z.object({ createdAt: z.string().nullish(), channelId: z.string(), from: z.string().nullish(), type: z.string().nullish(), shape: z.string(), message: z.unknown() });
      for (const raw of items) {
        const m = Row.parse(raw);
        print(`${String(m.createdAt ?? '-').padEnd(25)} ${m.channelId} ${String(m.from ?? '?').padEnd(5)} ${String(m.type ?? '?').padEnd(14)}${m.shape === 'unknown' ? ' (unknown shape)' : ''} ${summary(m.message, m.type)}`);
      }
      print(`${items.length} message(s)`);
    });

  netcore
    .command('channels')
    .description('the Netcore channel ids')
    .action(() => {
      for (const id of CHANNEL_IDS) print(`${id} ${CHANNELS[id]}${(USER_CHANNEL_IDS as readonly number[]).includes(id) ? ' (users endpoint)' : ''}`);
    });

  netcore
    .command('check')
    .description('log in to Netcore (NETCORE_BASE_URL, NETCORE_APP_ID, NETCORE_APP_SECRET) and read this month\'s usage')
    .action(async () => {
      const client = netcoreClientFromEnv(deps.fetchImpl ? { fetchImpl: deps.fetchImpl } : {});
      const month = new Date().toISOString().slice(0, 7);
      const usage = await client.usage({ monthDate: `${month}-01` });
      print(`login ok; usage ${month}: ${usage.totalMessages} messages, ${usage.totalUsers} users (${client.stats.requests} requests)`);
    });

  return netcore;
}

/** A short text for a message line: the text, a title, or a URL. */
function summary(message: unknown, type: string | null | undefined): string {
  if (!message || typeof message !== 'object' || !type) return '';
  const payload = (message as Record<string, unknown>)[type];
  if (!payload || typeof payload !== 'object') return '';
  const p = payload as Record<string, unknown>;
  const text = [p.message, p.body, p.title, p.text, p.name, p.url, p.contentUrl, p.address].find((v) => typeof v === 'string' && v !== '');
  return typeof text === 'string' ? text.slice(0, 80) : '';
}
