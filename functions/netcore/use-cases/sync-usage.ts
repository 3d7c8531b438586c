import { monthOf, previousMonth } from '#netcore/domain/api.ts';
import type { ChannelId } from '#netcore/domain/channels.ts';
import type { NetcoreApi } from '#netcore/adapters/client.ts';
import type { NetcoreStore } from '#netcore/adapters/store.ts';
import { TimeBudgetError } from '#platform/errors.ts';
import { deadlineOf, hasTime, type TimeBudget } from '#platform/time-budget.ts';

export interface UsageSyncDeps {
  readonly api: Pick<NetcoreApi, 'usage'>;
  readonly store: Pick<NetcoreStore, 'putUsage'>;
  /** Channels to read one by one; the bot total (no channelId) is always read too. */
  readonly channels: readonly ChannelId[];
  readonly now: () => Date;
  readonly budget: TimeBudget;
}

export interface UsageSyncResult {
  readonly months: string[];
  readonly stored: number;
  /** True when the run stopped for time before reading everything; the next run reads it all again. */
  readonly stoppedEarly: boolean;
}

/**
 * Refreshes monthly usage for the current and the previous month (the previous one still changes
 * for a while after the month turns), for the bot as a whole and per channel. Each figure replaces the
 * stored one: the vendor's total is the truth.
 */
export async function syncNetcoreUsage(deps: UsageSyncDeps): Promise<UsageSyncResult> {
  const current = monthOf(deps.now());
  const months = [current, previousMonth(current)];
  let stored = 0;
  for (const month of months) {
    for (const channel of ['all', ...deps.channels] as const) {
      if (!hasTime(deps.budget)) return { months, stored, stoppedEarly: true };
      let usage;
      try {
        usage = await deps.api.usage(
          { monthDate: `${month}-01`, channelId: channel === 'all' ? undefined : channel },
          { deadline: deadlineOf(deps.budget) },
        );
      } catch (err) {
        // The client would not start a request that could outlast the budget: stop like the check above.
        if (err instanceof TimeBudgetError) return { months, stored, stoppedEarly: true };
        throw err;
      }
      await deps.store.putUsage(month, channel, usage, deps.now().toISOString());
      stored++;
    }
  }
  return { months, stored, stoppedEarly: false };
}
