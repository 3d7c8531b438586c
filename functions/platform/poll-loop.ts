import type * as z from 'zod';
import type { Cursor, CursorStore } from './cursor-store.ts';
import { ConfigError, TimeBudgetError } from './errors.ts';
import { JsonString } from './json.ts';
import { hasTime, type TimeBudget } from './time-budget.ts';
import { issueLines } from './validation.ts';

/** How a poller's position is kept in its cursor item. */
export interface StoredCursorCodec<P> {
  decode(value: string): P | undefined;
  encode(position: P): string;
}

/**
 * The usual codec: the position as JSON, validated by `schema` (classic zod or zod/mini). A stored
 * value that does not read is a {@link ConfigError} (the run fails loudly and the cursor stays), never
 * a silent restart from scratch.
 */
export function jsonCursor<P>(name: string, schema: z.core.$ZodType<P>): StoredCursorCodec<P> {
  const Stored = JsonString(schema);
  return {
    decode(value) {
      const parsed = Stored.safeParse(value);
      if (!parsed.success) throw new ConfigError(`Cursor ${name} holds ${JSON.stringify(value)}, not a position of this poller: ${issueLines(parsed.error).join('; ')}`);
      return parsed.data as P;
    },
    encode: (position) => JSON.stringify(position),
  };
}

/** What one page of a poll did: where the cursor goes next (undefined: it stays) and whether more pages follow. */
export interface PollPage<P> {
  readonly next?: P;
  readonly more: boolean;
}

/** What a vendor supplies to {@link pollLoop}. */
export interface PollLoopSpec<P> {
  readonly cursors: CursorStore;
  /** The cursor's name in the `cursors` table. */
  readonly name: string;
  readonly codec: StoredCursorCodec<P>;
  readonly budget: TimeBudget;
  /**
   * Reads one page after `position` (undefined: the poller has no cursor yet) and stores what it read;
   * resolves only once it is stored. A {@link TimeBudgetError} ends the run with the cursor unmoved.
   */
  readonly page: (position: P | undefined) => Promise<PollPage<P>>;
}

export interface PollLoopOutcome {
  /** The pages were read to the end; time ran short (stopped between pages); or another run moved the cursor first. */
  readonly outcome: 'complete' | 'time' | 'conflict';
  readonly pages: number;
  /** Whether this run moved the cursor at least once. */
  readonly moved: boolean;
}

/**
 * A scheduled poll: read the cursor -> a page -> store it -> move the cursor (conditionally, only after
 * the page is stored) -> the next page, stopping before the time budget runs out. Two overlapping runs
 * cannot both move the cursor: the one that loses stops (`conflict`), and what it stored is deduped by
 * the store. Errors other than the time budget fail the run with the cursor where the last stored page left it.
 */
export async function pollLoop<P>(spec: PollLoopSpec<P>): Promise<PollLoopOutcome> {
  let cursor: Cursor | undefined = await spec.cursors.get(spec.name);
  let position = cursor ? spec.codec.decode(cursor.value) : undefined;
  let pages = 0;
  let moved = false;
  for (;;) {
    if (!hasTime(spec.budget)) return { outcome: 'time', pages, moved };
    let step: PollPage<P>;
    try {
      step = await spec.page(position);
    } catch (err) {
      if (err instanceof TimeBudgetError) return { outcome: 'time', pages, moved };
      throw err;
    }
    pages++;
    if (step.next !== undefined) {
      const value = spec.codec.encode(step.next);
      if (!(await spec.cursors.move(spec.name, cursor, value))) return { outcome: 'conflict', pages, moved };
      moved = true;
      cursor = { name: spec.name, value, version: (cursor?.version ?? 0) + 1, updatedAt: new Date().toISOString() };
      position = step.next;
    }
    if (!step.more) return { outcome: 'complete', pages, moved };
  }
}
