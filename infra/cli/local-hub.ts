import { Command } from 'commander';
import * as z from 'zod';

/** Base URL of a running local hub: `--hub`, else `HUB_URL`, else 127.0.0.1 on `HUB_PORT` (3000). */
export function localHubUrl(option?: string): string {
  if (option) return option.replace(/\/$/, '');
  if (process.env.HUB_URL) return process.env.HUB_URL.replace(/\/$/, '');
  const port = z.coerce.number().int().min(1).max(65535).default(3000).parse(process.env.HUB_PORT || undefined);
  return `http://127.0.0.1:${port}`;
}

async function call(url: string, method: 'GET' | 'POST'): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, { method });
  } catch (err) {
    throw new Error(`No hub answers at ${new URL(url).origin} (${(err as Error).message}); start one with npm start, or pass --hub URL`);
  }
  const body: unknown = await res.json().catch(() => undefined);
  if (!res.ok) throw new Error(`${method} ${url} answered ${res.status}: ${JSON.stringify(body)}`);
  return body;
}

/** `schedules` and `queues` commands, against a hub started with `npm start`. */
export function registerLocalHubCommands(program: Command): void {
  const schedules = program.command('schedules').description('Scheduled functions of a running local hub');
  schedules
    .command('list')
    .option('--hub <url>', 'hub base URL')
    .action(async (o: { hub?: string }) => console.log(JSON.stringify(await call(`${localHubUrl(o.hub)}/_local/schedules`, 'GET'), null, 2)));
  schedules
    .command('run <name>')
    .description('Run a schedule now, wait for it, and print its outcome')
    .option('--hub <url>', 'hub base URL')
    .action(async (name: string, o: { hub?: string }) => {
      console.log(JSON.stringify(await call(`${localHubUrl(o.hub)}/_local/schedules/${encodeURIComponent(name)}`, 'POST'), null, 2));
    });
  const queues = program.command('queues').description('Queues and DLQs of a running local hub');
  queues
    .command('list')
    .option('--hub <url>', 'hub base URL')
    .action(async (o: { hub?: string }) => console.log(JSON.stringify(await call(`${localHubUrl(o.hub)}/_local/queues`, 'GET'), null, 2)));
  queues
    .command('redrive <name>')
    .description("Move every message of a queue's DLQ back to the queue")
    .option('--hub <url>', 'hub base URL')
    .action(async (name: string, o: { hub?: string }) => {
      console.log(JSON.stringify(await call(`${localHubUrl(o.hub)}/_local/queues/${encodeURIComponent(name)}/redrive`, 'POST'), null, 2));
    });
}
