import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { CliError, hubClient, hubUrl, operatorToken } from './hub-client.ts';
import { cell, table } from './output.ts';

/** Base URL of a running local hub: `--hub`, else `HUB_URL`, else 127.0.0.1 on `HUB_PORT` (3000). */
export function localHubUrl(option?: string): string {
  return hubUrl(option);
}

type Out = (line: string) => void;
const stdout: Out = (l) => process.stdout.write(`${l}\n`);

/**
 * The hub's own commands: `status`, `queues` (the operator API's `GET /queues` and
 * `POST /queues/{queue}/redrive`, on AWS and locally alike), `schedules` of a hub started with
 * `npm start`, and `local info` (what `npm start` printed, again, from the data folder).
 */
export function registerLocalHubCommands(program: Command, out: Out = stdout): void {
  const client = (o: { hub?: string }) => hubClient({ url: hubUrl(o.hub) });

  const schedules = program.command('schedules').description('Scheduled functions of a running local hub');
  schedules
    .command('list')
    .description('Each schedule, its rate, its last run and outcome, and its next run')
    .action(async (o: { hub?: string; json?: boolean }) => {
      const body = await client(o).local.schedules();
      const list = (Array.isArray(body) ? body : body.schedules) as { name: string; rateMinutes: number; nextRunAt?: string; lastRun?: { ok: boolean; startedAt: string; durationMs: number; error?: string } }[];
      if (o.json) return out(JSON.stringify(list, null, 2));
      out(table(['schedule', 'every', 'last run', 'outcome', 'ms', 'next run'], list.map((s) => [s.name, `${s.rateMinutes} min`, s.lastRun?.startedAt ?? '-', s.lastRun ? (s.lastRun.ok ? 'ok' : `failed: ${(s.lastRun.error ?? '').slice(0, 60)}`) : '-', cell(s.lastRun?.durationMs), s.nextRunAt ?? '-'])));
    });
  schedules
    .command('run <name>')
    .description('Run a schedule now, wait for it, and print its outcome')
    .action(async (name: string, o: { hub?: string; json?: boolean }) => {
      const outcome = (await client(o).local.runSchedule(name)) as { ok?: boolean; durationMs?: number; result?: unknown; error?: string };
      if (o.json) return out(JSON.stringify(outcome, null, 2));
      out(`${name}: ${outcome.ok === false ? `failed: ${outcome.error ?? ''}` : 'ok'} in ${cell(outcome.durationMs)} ms`);
      if (outcome.result !== undefined) out(JSON.stringify(outcome.result));
    });

  program
    .command('status')
    .description("The hub's status: last webhooks, schedule runs and outcomes, queue and DLQ depths, quarantine, poller streams (GET /status)")
    .action(async (o: { hub?: string; json?: boolean }) => {
      const s = await client(o).status();
      if (o.json) return out(JSON.stringify(s, null, 2));
      // Its formatting is loaded only for this command.
      const { statusLines } = await import('./status.ts');
      for (const line of statusLines(s)) out(line);
    });

  const queues = program.command('queues').description("The hub's queues and their DLQs (GET /queues, POST /queues/{queue}/redrive)");
  queues
    .command('list')
    .description('Each queue with its depth, in flight and its DLQ depth')
    .action(async (o: { hub?: string; json?: boolean }) => {
      const { items } = await client(o).queues();
      if (o.json) return out(JSON.stringify(items, null, 2));
      out(table(['queue', 'depth', 'in flight', 'dlq depth'], items.map((q) => [q.name, String(q.depth), String(q.inFlight), String(q.dlqDepth)])));
    });
  queues
    .command('redrive <name>')
    .description("Move every message of a queue's DLQ back to the queue (on AWS an SQS move task that runs in the background)")
    .option('--operator <name>', 'who is acting (sent as X-Operator)')
    .action(async (name: string, o: { hub?: string; json?: boolean; operator?: string }) => {
      const r = await hubClient({ url: hubUrl(o.hub), ...(o.operator ? { operator: o.operator } : {}) }).redrive(name);
      if (o.json) return out(JSON.stringify(r, null, 2));
      out(r.state === 'moved' ? `${name}: moved ${cell(r.moved)} message(s) from its DLQ back to the queue` : `${name}: a move task started for the ${r.dlqDepth} message(s) of its DLQ (switchboard queues list shows it emptying)`);
    });

  program
    .command('local')
    .description('The local hub of a data folder')
    .command('info')
    .description("Print the running local hub's URLs, tokens and export lines again (from HUB_DATA_DIR, default .data)")
    .action(async (o: { json?: boolean }) => {
      const info = await localInfo(process.env.HUB_DATA_DIR || '.data');
      if (o.json) return out(JSON.stringify(info, null, 2));
      out(info.running ? `Switchboard is running at ${info.url} (PID ${info.pid}, started ${info.startedAt})` : `No hub is running on data folder ${info.dataDir}${info.url ? `; the last one listened at ${info.url}` : ''} (start one with npm start)`);
      out(`  data folder      ${info.dataDir}`);
      if (info.dynamoPort) out(`  DynamoDB         dynalite on 127.0.0.1:${info.dynamoPort}`);
      if (info.sqsPort) out(`  SQS              fauxqs on 127.0.0.1:${info.sqsPort}`);
      if (Object.keys(info.sandboxes).length) {
        out('Vendor sandboxes:');
        for (const [v, url] of Object.entries(info.sandboxes)) out(`  ${v.padEnd(16)} ${url}`);
      }
      out(`Operator token (Authorization: Bearer ...): ${info.operatorToken ?? '(none yet)'}`);
      out('To use the CLI against this hub and its sandboxes:');
      for (const l of info.exports) out(`  ${l}`);
      if (!info.running) throw new CliError(`No hub is running on ${info.dataDir}`);
    });
}

/** What the data folder says about its hub: `hub.json` (PID, URL), `ports.json`, `local-secrets.json`. */
export async function localInfo(dir: string) {
  const dataDir = resolve(dir);
  if (!existsSync(dataDir)) throw new CliError(`No data folder ${dataDir}: start a hub with npm start (or set HUB_DATA_DIR)`);
  const { readPorts, readRunning } = await import('#infra/local/data-folder.ts');
  const { exportLines } = await import('#infra/local/cli-env.ts');
  const running = readRunning(join(dataDir, 'hub.json'));
  const ports = readPorts(dataDir);
  const secretsFile = join(dataDir, 'local-secrets.json');
  const secrets = readSecrets(secretsFile);
  const alive = running !== undefined && pidAlive(running.pid);
  const url = running?.url ?? (ports.hub ? `http://127.0.0.1:${ports.hub}` : undefined);
  const sandboxUrls = ports.sandboxUrls ?? {};
  return {
    dataDir,
    running: alive && running.url !== undefined,
    pid: alive ? running.pid : undefined,
    startedAt: running?.startedAt,
    url,
    dynamoPort: ports.dynamo,
    sqsPort: ports.sqs,
    sandboxes: sandboxUrls,
    operatorToken: secrets.HUB_OPERATOR_TOKEN ?? operatorToken({ HUB_DATA_DIR: dataDir }),
    generated: secrets,
    exports: url ? exportLines(url, secrets, sandboxUrls) : [],
  };
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readSecrets(file: string): Record<string, string> {
  try {
    return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>) : {};
  } catch {
    return {};
  }
}
