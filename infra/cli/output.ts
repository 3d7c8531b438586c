import type { Command } from 'commander';

/**
 * What every command shares: `--hub` and `--json` on every command, tables for people, and the
 * exit codes (0 ok, 1 failed, 2 usage).
 */

/** A fixed-width table: a header line and one line per row. */
export function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (r: readonly string[]): string => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [fmt(head), ...rows.map(fmt)].join('\n');
}

/** A value as a table cell. */
export function cell(v: unknown): string {
  if (v === undefined || v === null) return '-';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/**
 * Gives every command that runs something (a leaf) `--hub <url>` and `--json` when it has not its
 * own, so each one takes the hub from `--hub`, else `HUB_URL`, in the same way.
 */
export function addCommonOptions(cmd: Command, except: readonly Command[] = []): void {
  for (const sub of cmd.commands) addCommonOptions(sub, except);
  if (cmd.commands.length > 0 || !cmd.parent || except.includes(cmd)) return;
  const has = (flag: string): boolean => cmd.options.some((o) => o.long === flag);
  if (!has('--hub')) cmd.option('--hub <url>', 'hub base URL (default HUB_URL, else http://127.0.0.1:$HUB_PORT or 3000)');
  if (!has('--json')) cmd.option('--json', 'print JSON');
}
