import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import * as z from 'zod';

/**
 * What a data folder holds besides the emulators' own files: the lock that keeps one hub per folder,
 * who holds it, and the ports the last hub chose.
 */

const RunningHub = z.object({ pid: z.number().int(), startedAt: z.string(), url: z.string().optional() });
type RunningHub = z.infer<typeof RunningHub>;

/** A second hub on a data folder another live hub holds. */
export class HubAlreadyRunningError extends Error {
  constructor(
    readonly dataDir: string,
    readonly running: RunningHub | undefined,
  ) {
    super(
      running
        ? `Another hub is running on data folder ${dataDir}: PID ${running.pid}${running.url ? `, ${running.url}` : ' (still starting)'}, started ${running.startedAt}. ` +
            `Stop it first (Ctrl+C in its shell, or kill ${running.pid}), or give this one another HUB_DATA_DIR.`
        : `Another hub is running on data folder ${dataDir} (it has not said who it is yet). Stop it first, or give this one another HUB_DATA_DIR.`,
    );
  }
}

export interface DataFolderLock {
  /** The PID of a hub that died holding the folder, if the lock was taken over from one. */
  readonly tookOverFrom?: number;
  /** Records where this hub listens, for the message a second hub prints. */
  announce(url: string): void;
  /** Releases the lock (a clean stop); a crash releases it too. Idempotent. */
  release(): void;
}

/**
 * Takes the data folder's lock: an exclusive SQLite transaction on `<dataDir>/hub.lock`, held for the
 * hub's lifetime. SQLite's lock is an OS file lock, so the kernel drops it when the process dies
 * however it dies (SIGKILL, crash, power): a lock left by a crash is simply free, with no PID guess
 * that a reused PID could fool, and two hubs starting at once cannot both win. Who holds it is
 * written to `<dataDir>/hub.json` (PID, URL) for the message a second hub prints.
 */
export function lockDataFolder(dataDir: string): DataFolderLock {
  const infoFile = join(dataDir, 'hub.json');
  const db = new DatabaseSync(join(dataDir, 'hub.lock'), { timeout: 0 });
  try {
    db.exec('BEGIN EXCLUSIVE');
  } catch (err) {
    db.close();
    if (!/locked|busy/i.test((err as Error).message)) throw err;
    throw new HubAlreadyRunningError(dataDir, readRunning(infoFile));
  }
  const previous = readRunning(infoFile);
  const startedAt = new Date().toISOString();
  const write = (info: RunningHub) => writeFileSync(infoFile, `${JSON.stringify(info, null, 2)}\n`);
  write({ pid: process.pid, startedAt });
  let released = false;
  return {
    ...(previous && previous.pid !== process.pid ? { tookOverFrom: previous.pid } : {}),
    announce(url) {
      write({ pid: process.pid, startedAt, url });
    },
    release() {
      if (released) return;
      released = true;
      // A clean stop leaves no hub.json: one found at the next start names a hub that died holding the folder.
      rmSync(infoFile, { force: true });
      db.exec('ROLLBACK');
      db.close();
    },
  };
}

/** Who holds the data folder, as its `hub.json` says (a hub that died leaves it behind: check the PID). */
export function readRunning(file: string): RunningHub | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const parsed = RunningHub.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

const Ports = z.object({
  hub: z.number().int().optional(),
  dynamo: z.number().int().optional(),
  sqs: z.number().int().optional(),
  sandboxes: z.record(z.string(), z.number().int()).optional(),
  /** Each sandbox's base URL (what `switchboard local info` prints). */
  sandboxUrls: z.record(z.string(), z.string()).optional(),
});
/** The ports a hub listened on, kept in `<dataDir>/ports.json` and preferred by the next start. */
export type RememberedPorts = z.infer<typeof Ports>;

/** The ports the last hub on this folder chose; none when there was none (or the file is unreadable). */
export function readPorts(dataDir: string): RememberedPorts {
  const file = join(dataDir, 'ports.json');
  if (!existsSync(file)) return {};
  try {
    const parsed = Ports.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

export function writePorts(dataDir: string, ports: RememberedPorts): void {
  writeFileSync(join(dataDir, 'ports.json'), `${JSON.stringify(ports, null, 2)}\n`);
}

/**
 * `port` when it can be bound on 127.0.0.1 now, else 0 (any free port). A remembered port that some
 * other program took meanwhile just moves; the hub prints where it is.
 */
export async function preferPort(port: number | undefined): Promise<number> {
  if (!port) return 0;
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(0));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(port)));
  });
}
