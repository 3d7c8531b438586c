import type { ErasureAudit, ErasureRecord } from '#customers/adapters/store.ts';

/** An erasure audit kept in memory (one erasure at a time), for tests of `erasePerson` without its table. */
export function memoryErasureAudit(): ErasureAudit {
  let record: ErasureRecord | undefined;
  return {
    running: async () => (record?.state === 'running' ? record : undefined),
    start: async (subjectHash, identifierHashes, requestedBy, suppress, now) => (record = { id: 'e1', subjectHash, identifierHashes, requestedBy, suppress, startedAt: now, state: 'running', counts: {}, calls: 0 }),
    record: async (_id, counts, complete) => (record = { ...(record as ErasureRecord), counts, state: complete ? 'complete' : 'running' }),
    suppress: async () => undefined,
  };
}
