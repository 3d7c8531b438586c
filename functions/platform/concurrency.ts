/**
 * Runs `fn` over `items` with at most `limit` at once, in order of the items. No new item starts
 * after the first failure or once `stop()` says so; the call returns when the ones running have
 * settled (nothing keeps running behind the caller). `settled[i]` is undefined for an item never started.
 */
export async function mapLimitSettled<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
  stop: () => boolean = () => false,
): Promise<{ readonly settled: (PromiseSettledResult<R> | undefined)[]; readonly stopped?: 'failure' | 'stop'; readonly firstError?: { readonly error: unknown } }> {
  const settled = new Array<PromiseSettledResult<R> | undefined>(items.length).fill(undefined);
  let next = 0;
  let stopped: 'failure' | 'stop' | undefined;
  let firstError: { error: unknown } | undefined;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length && !stopped) {
      if (stop()) {
        stopped = 'stop';
        break;
      }
      const i = next++;
      try {
        settled[i] = { status: 'fulfilled', value: await fn(items[i] as T, i) };
      } catch (reason) {
        settled[i] = { status: 'rejected', reason };
        stopped ??= 'failure';
        firstError ??= { error: reason };
      }
    }
  });
  await Promise.all(workers);
  return { settled, ...(stopped ? { stopped } : {}), ...(firstError ? { firstError } : {}) };
}

/** {@link mapLimitSettled} that throws the first failure once the running items have settled. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const { settled, firstError } = await mapLimitSettled(items, limit, fn);
  if (firstError) throw firstError.error;
  return settled.map((s) => (s as PromiseFulfilledResult<R>).value);
}

/**
 * A gate letting at most `limit` calls run at once; the others wait, in the order they came, for a
 * free slot. For work that arrives as separate calls (a batch processor's records) rather than as one
 * list ({@link mapLimitSettled}).
 */
export function limiter(limit: number): <R>(fn: () => Promise<R>) => Promise<R> {
  const max = Math.max(1, Math.floor(limit));
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (fn) => {
    if (running >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      return await fn();
    } finally {
      // The slot passes straight to the next caller (running stays the same), or is freed.
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}
