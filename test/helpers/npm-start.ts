import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { PROJECT_ROOT } from '#infra/build-app.ts';
import { vendors } from '#infra/topology/index.ts';
import { makeResult } from '#test/rungopher/samples.ts';

const tsx = resolve(PROJECT_ROOT, 'node_modules/.bin/tsx');

/** `npm start`'s entry in a process group of its own, on a given data folder. */
export interface StartedHub {
  readonly child: ChildProcess;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  readonly url: string;
  readonly dynamoPort: number;
  readonly sqsPort: number;
  readonly webhookToken: string;
  readonly operatorToken: string;
  /** Signals the whole process group (tsx and the node it runs) and waits for the exit (bounded). */
  kill(signal: NodeJS.Signals): Promise<number | null>;
}

/** The environment of a hub started by a test: none of the caller's vendor settings leak in. */
export function hubEnv(dataDir: string, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  const own = new RegExp(`^(${[...vendors.map((v) => v.name.toUpperCase()), 'HUB_OPERATOR', 'HUB_URL'].join('|')})`);
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !own.test(k)) env[k] = v;
  return { ...env, HUB_PORT: '0', HUB_DATA_DIR: dataDir, POWERTOOLS_LOG_LEVEL: 'SILENT', ...extra };
}

/** Spawns `infra/local/main.ts`; resolves once it printed "Press Ctrl+C", rejects if it exits first (bounded). */
export async function spawnHub(dataDir: string, { timeoutMs = 60_000, env = {} }: { timeoutMs?: number; env?: Record<string, string> } = {}): Promise<StartedHub> {
  const { child, output, exited } = spawnEntry(dataDir, env);
  const until = Date.now() + timeoutMs;
  while (!/Press Ctrl\+C to stop/.test(output())) {
    if (Date.now() > until || child.exitCode !== null || child.signalCode !== null) {
      killGroup(child, 'SIGKILL');
      throw new Error(`npm start did not come up:\n${output()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const text = output();
  const secrets = JSON.parse(await readFile(join(dataDir, 'local-secrets.json'), 'utf8')) as Record<string, string>;
  return {
    child,
    output,
    url: /Switchboard is running at (http:\/\/127\.0\.0\.1:\d+)/.exec(text)?.[1] ?? '',
    dynamoPort: Number(/dynalite on 127\.0\.0\.1:(\d+)/.exec(text)?.[1]),
    sqsPort: Number(/fauxqs on 127\.0\.0\.1:(\d+)/.exec(text)?.[1]),
    webhookToken: secrets.RUNGOPHER_WEBHOOK_TOKEN ?? '',
    operatorToken: secrets.HUB_OPERATOR_TOKEN ?? '',
    async kill(signal) {
      killGroup(child, signal);
      return Promise.race([exited, new Promise<null>((r) => setTimeout(() => r(null), 20_000))]);
    },
  };
}

/** Spawns the entry and returns at once (for a start that is expected to fail). */
export function spawnEntry(dataDir: string, extraEnv: Record<string, string> = {}): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  let out = '';
  const child = spawn(tsx, ['infra/local/main.ts'], { cwd: PROJECT_ROOT, env: hubEnv(dataDir, extraEnv), detached: true });
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, output: () => out, exited };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/** Every stored Rungopher result id of a hub started by {@link spawnHub} (scan of its results table). */
/**
 * Polls the stored result ids until every id in `expected` is there or `until` (epoch ms) passes;
 * returns them, as a set, and how often each id is stored.
 */
export async function drainStored(dynamoPort: number, expected: ReadonlySet<number>, until: number): Promise<{ ids: number[]; have: Set<number>; counts: Map<number, number> }> {
  let ids: number[];
  for (;;) {
    ids = await storedResultIds(dynamoPort);
    const stored = new Set(ids);
    if ([...expected].every((id) => stored.has(id)) || Date.now() > until) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const counts = new Map<number, number>();
  for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  return { ids, have: new Set(ids), counts };
}

export async function storedResultIds(dynamoPort: number): Promise<number[]> {
  const raw = new DynamoDBClient({ endpoint: `http://127.0.0.1:${dynamoPort}`, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const doc = DynamoDBDocumentClient.from(raw);
  const ids: number[] = [];
  let start: Record<string, unknown> | undefined;
  try {
    do {
      const out = await doc.send(new ScanCommand({ TableName: 'switchboard-rungopher-results', ExclusiveStartKey: start, ProjectionExpression: 'id' }));
      for (const item of out.Items ?? []) ids.push(Number(item.id));
      start = out.LastEvaluatedKey;
    } while (start);
  } finally {
    raw.destroy();
  }
  return ids;
}

/** What a crash run saw. */
export interface CrashFigures {
  readonly sent: number;
  /** Answered 200 before the kill. */
  readonly acknowledged: number;
  /** Messages in the results queue's SQLite rows right after the kill (answered, not yet stored and deleted). */
  readonly queuedAtKill: number;
  /** Results dynalite had stored (a scan just before the kill). */
  readonly storedBeforeKill: number;
  /** Of those, missing after the restart (must be 0: dynalite's LevelDB survives the kill). */
  readonly storedThenMissing: number;
  /** Acknowledged and not stored once the restarted hub drained (must be 0). */
  readonly lost: number;
  /** Result ids stored more than once (must be 0). */
  readonly storedTwice: number;
  readonly storedAfter: number;
  readonly drainMs: number;
}

/**
 * Sends `n` distinct Rungopher results at `concurrency` to a hub on `dataDir`, SIGKILLs its process
 * group once `killAfter` were answered 200, restarts it on the same folder (and, with `killAfterRestart`,
 * SIGKILLs it again as soon as it is up and starts it a third time), then waits (at most `drainMs`)
 * until every acknowledged result is stored. Returns the figures; the caller stops the last hub.
 */
export async function crashRun(
  dataDir: string,
  opts: { n: number; concurrency: number; killAfter: number; killAfterRestart?: boolean; drainMs?: number; idBase?: number },
): Promise<{ figures: CrashFigures; hub: StartedHub }> {
  const idBase = opts.idBase ?? 500_000;
  let hub = await spawnHub(dataDir);
  const acknowledged = new Set<number>();
  let next = 0;
  let killed = false;
  const sender = async (): Promise<void> => {
    while (!killed && next < opts.n) {
      const id = idBase + next++;
      const body = JSON.stringify(makeResult({ id, contactId: `crash-${id % 97}`, resultName: `q${id % 7}` }));
      try {
        const res = await fetch(`${hub.url}/webhooks/rungopher/${hub.webhookToken}`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
        if (res.status === 200 && !killed) acknowledged.add(id);
        await res.arrayBuffer();
      } catch {
        // The kill: no answer, so Rungopher would resend; not counted as acknowledged.
      }
    }
  };
  const senders = Array.from({ length: opts.concurrency }, () => sender());
  const until = Date.now() + 120_000;
  while (acknowledged.size < opts.killAfter && Date.now() < until && next < opts.n) await new Promise((r) => setTimeout(r, 5));
  // What dynalite had stored just before the kill: it must all be there after it (LevelDB on disk).
  const storedBeforeKill = await storedResultIds(hub.dynamoPort);
  killed = true;
  await hub.kill('SIGKILL');
  await Promise.allSettled(senders);
  const ackAtKill = new Set(acknowledged);

  const queuedAtKill = queuedMessages(dataDir, 'switchboard-rungopher-results');
  hub = await spawnHub(dataDir);
  if (opts.killAfterRestart) {
    await hub.kill('SIGKILL');
    hub = await spawnHub(dataDir);
  }
  const started = Date.now();
  const drainUntil = started + (opts.drainMs ?? 60_000);
  const { ids, have, counts } = await drainStored(hub.dynamoPort, ackAtKill, drainUntil);
  return {
    hub,
    figures: {
      sent: next,
      acknowledged: ackAtKill.size,
      queuedAtKill,
      storedBeforeKill: storedBeforeKill.length,
      storedThenMissing: storedBeforeKill.filter((id) => !have.has(id)).length,
      lost: [...ackAtKill].filter((id) => !have.has(id)).length,
      storedTwice: [...counts.values()].filter((c) => c > 1).length,
      storedAfter: ids.length,
      drainMs: Date.now() - started,
    },
  };
}

/** Messages fauxqs keeps for a queue in a stopped hub's data folder (ready, delayed or in flight). */
export function queuedMessages(dataDir: string, queue: string): number {
  const file = join(dataDir, 'sqs', 'fauxqs.db');
  if (!existsSync(file)) return 0;
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    const row = db.prepare('SELECT count(*) AS n FROM sqs_messages WHERE queue_name = ?').get(queue) as { n: number } | undefined;
    return Number(row?.n ?? 0);
  } finally {
    db.close();
  }
}
