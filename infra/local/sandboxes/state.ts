import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * A sandbox's state kept in one JSON file, so a hub restarted on the same data folder finds the
 * campaigns, threads and users it had. Writes are atomic (a temporary file renamed over the old one):
 * a kill leaves the previous state or the new one, never half of one. No file: nothing is kept.
 */
export interface SandboxState<T> {
  /** What the file holds, or undefined (no file, or no state file at all). */
  load(): T | undefined;
  /** Writes now, before the caller answers (for what a client was told was done). */
  saveNow(): void;
  /** Writes within `delayMs`, once for many changes (for bulk changes: results, seeds). */
  saveSoon(): void;
  /** Writes what `saveSoon` left pending (at stop). */
  flush(): void;
}

export function sandboxState<T>(file: string | undefined, snapshot: () => T, delayMs = 200): SandboxState<T> {
  let timer: NodeJS.Timeout | undefined;
  const write = (): void => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (!file) return;
    mkdirSync(dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(snapshot()));
    renameSync(tmp, file);
  };
  return {
    load() {
      if (!file) return undefined;
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
      return JSON.parse(text) as T;
    },
    saveNow: write,
    saveSoon() {
      if (file && !timer) timer = setTimeout(write, delayMs);
    },
    flush() {
      if (timer) write();
    },
  };
}
