/**
 * Sharded partition keys for indexes that would otherwise put every item under one constant value (an
 * `all` bucket, a sparse flag): each item goes to the shard its id hashes to, `<prefix>#0` …
 * `<prefix>#<n-1>`, so no single partition key value takes every write (DynamoDB gives a value about
 * 1,000 write units a second; the README's partition math). Readers query every shard, and the value
 * items had before the index was sharded (`legacy`), which is read and never written again. Pure.
 */
export interface ShardedKey {
  /** The shard of an item: stable for its id (a rewrite lands where the item already is). */
  of(id: string): string;
  /** Every partition key value a read must cover: the shards, then the legacy value if any. */
  readonly all: readonly string[];
  /** Whether a stored key value is one of this key's (a shard or the legacy value). */
  holds(value: unknown): boolean;
}

export function shardedKey(prefix: string, shards: number, legacy?: string): ShardedKey {
  const values = Array.from({ length: shards }, (_, i) => `${prefix}#${i}`);
  const all = legacy === undefined ? values : [...values, legacy];
  const known = new Set(all);
  return {
    of(id) {
      // FNV-1a over the id's UTF-16 units: cheap, stable across processes, evenly spread for sequential ids.
      let h = 0x811c9dc5;
      for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
      return values[(h >>> 0) % shards] as string;
    },
    all,
    holds: (value) => typeof value === 'string' && known.has(value),
  };
}
