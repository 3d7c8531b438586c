import { closeSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * A sandbox's state kept in one JSON file, so a hub restarted on the same data folder finds the
 * campaigns, threads and users it had. Writes are atomic (a temporary file renamed over the old one):
 * a kill leaves the previous state or the new one, never half of one. No file: nothing is kept.
 */
/** Writes `text` to `file` atomically: to a temporary file first, renamed over the old one. */
function writeAtomically(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

/** The file's text, or undefined when there is no such file. */
function readIfThere(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

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
    writeAtomically(file, JSON.stringify(snapshot()));
  };
  return {
    load() {
      const text = file === undefined ? undefined : readIfThere(file);
      return text === undefined ? undefined : (JSON.parse(text) as T);
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

/** One record of a {@link SandboxJournal}: its kind ("response", "outbox", ...), its id within the kind, its value. */
export interface JournalEntry {
  readonly kind: string;
  readonly id: string;
  readonly value: unknown;
}

/**
 * A sandbox's state as a journal of records, one JSON line each: a change appends the one record it
 * changed (written before the sandbox answers), so a write costs the size of that record, not of the
 * whole state (a JSON file rewritten per change made each Goodays action cost time in proportion to
 * every response kept). Loading replays the lines, the last line of a record winning. When the file
 * holds four times more lines than live records it is rewritten with the live ones (to a temporary
 * file, renamed over it). A kill mid-append can leave a torn last line, which a load skips: that change
 * was never answered. No file: nothing is kept.
 */
export interface SandboxJournal {
  /** The live records in the order they were first written, or undefined when there is no journal yet. */
  load(): JournalEntry[] | undefined;
  /** Appends one record (replacing any earlier one of the same kind and id). */
  put(kind: string, id: string, value: unknown): void;
  /** Replaces every record (a reset). */
  replaceAll(entries: readonly JournalEntry[]): void;
  close(): void;
}

export function sandboxJournal(file: string | undefined): SandboxJournal {
  const live = new Map<string, string>(); // `${kind}\u0000${id}` → the line
  let lines = 0;
  let fd: number | undefined;
  const keyOf = (kind: string, id: string) => `${kind}\u0000${id}`;
  const open = (): number => {
    if (!file) throw new Error('no journal file');
    if (fd === undefined) {
      mkdirSync(dirname(file), { recursive: true });
      fd = openSync(file, 'a');
    }
    return fd;
  };
  const rewrite = (): void => {
    if (!file) return;
    if (fd !== undefined) closeSync(fd);
    fd = undefined;
    writeAtomically(file, [...live.values()].join(''));
    lines = live.size;
  };
  return {
    load() {
      const text = file === undefined ? undefined : readIfThere(file);
      if (text === undefined) return undefined;
      live.clear();
      lines = 0;
      const values = new Map<string, JournalEntry>();
      for (const line of text.split('\n')) {
        if (!line) continue;
        let entry: unknown;
        try {
          entry = JSON.parse(line);
        } catch {
          continue; // a torn last line
        }
        if (!Array.isArray(entry) || typeof entry[0] !== 'string' || typeof entry[1] !== 'string') continue;
        const [kind, id, value] = entry as [string, string, unknown];
        const key = keyOf(kind, id);
        lines++;
        if (value === null) {
          live.delete(key);
          values.delete(key);
        } else {
          live.set(key, `${line}\n`);
          values.set(key, { kind, id, value });
        }
      }
      return [...values.values()];
    },
    put(kind, id, value) {
      if (!file) return;
      const line = `${JSON.stringify([kind, id, value])}\n`;
      writeSync(open(), line);
      lines++;
      const key = keyOf(kind, id);
      if (value === null) live.delete(key);
      else live.set(key, line);
      if (lines > 1000 && lines > 4 * live.size) rewrite();
    },
    replaceAll(entries) {
      if (!file) return;
      live.clear();
      for (const e of entries) live.set(keyOf(e.kind, e.id), `${JSON.stringify([e.kind, e.id, e.value])}\n`);
      rewrite();
    },
    close() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}
