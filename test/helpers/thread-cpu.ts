import { execFileSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { EMULATOR_THREADS } from '#infra/local/emulators.ts';

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/**
 * CPU seconds (user + system) of every thread of a process group (or of one process), summed by thread name: the hub's
 * `MainThread` (the gateway and every function), each emulator's worker (named in `EMULATOR_THREADS`),
 * V8's helper threads (`V8Worker`: garbage collection, compilation), libuv's pool. Read from
 * `/proc/<pid>/task/<tid>/stat` (Linux).
 */
export async function threadCpu(of: { readonly group: number } | { readonly pid: number }): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const read = async (path: string) => readFile(path, 'utf8').catch(() => '');
  const pids = 'pid' in of ? [String(of.pid)] : (await readdir('/proc').catch(() => [] as string[])).filter((p) => /^\d+$/.test(p));
  for (const pid of pids) {
    const stat = await read(`/proc/${pid}/stat`);
    // Fields after the command name, which is in parentheses and may hold spaces: state is 3, pgrp 5.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if ('group' in of && Number(rest[2]) !== of.group) continue;
    for (const tid of await readdir(`/proc/${pid}/task`).catch(() => [] as string[])) {
      const t = await read(`/proc/${pid}/task/${tid}/stat`);
      if (!t) continue;
      const name = t.slice(t.indexOf('(') + 1, t.lastIndexOf(')'));
      const f = t.slice(t.lastIndexOf(')') + 2).split(' ');
      // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
      const seconds = (Number(f[11]) + Number(f[12])) / CLOCK_TICKS;
      out.set(name, (out.get(name) ?? 0) + seconds);
    }
  }
  return out;
}

/** The thread name of a bench's load generator worker. */
export const LOAD_THREAD = 'load';

/** What each thread name is, for the tables. */
export const THREAD_LABELS: Record<string, string> = {
  MainThread: 'main thread: gateway, webhook, processor and every other function, their SDK clients',
  [EMULATOR_THREADS.dynamodb]: 'dynalite (DynamoDB emulator) worker',
  [EMULATOR_THREADS.sqs]: 'fauxqs (SQS emulator) worker',
  V8Worker: "V8's helper threads (garbage collection, compilation)",
  'libuv-worker': "libuv's pool (file system, crypto)",
  [LOAD_THREAD]: "the bench's load generator worker (the callers)",
};

/** CPU seconds each thread spent between two readings, busiest first (threads under 50 ms left out). */
export function cpuSpent(before: Map<string, number>, after: Map<string, number>): [string, number][] {
  return [...after]
    .map(([name, s]): [string, number] => [name, s - (before.get(name) ?? 0)])
    .filter(([, s]) => s >= 0.05)
    .sort((a, b) => b[1] - a[1]);
}

