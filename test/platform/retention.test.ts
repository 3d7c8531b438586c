import { describe, expect, it } from 'vitest';
import { TTL_ATTRIBUTE, expiresAt, expiry, retentionDays } from '#platform/retention.ts';
import { ConfigError } from '#platform/errors.ts';
import { retentionClasses, tables } from '#infra/topology/index.ts';

describe('retention settings', () => {
  it('is off by default, days when set, and a clear error naming the variable otherwise', () => {
    expect(retentionDays('RAW_BODIES', {})).toBeUndefined();
    expect(retentionDays('RAW_BODIES', { RETENTION_RAW_BODIES_DAYS: '' })).toBeUndefined();
    expect(retentionDays('QUARANTINE', { RETENTION_QUARANTINE_DAYS: '30' })).toBe(30);
    for (const bad of ['0', '-1', '1.5', '3651', 'ninety', ' 9']) {
      expect(() => retentionDays('QUARANTINE', { RETENTION_QUARANTINE_DAYS: bad })).toThrow(ConfigError);
      expect(() => retentionDays('QUARANTINE', { RETENTION_QUARANTINE_DAYS: bad })).toThrow(/RETENTION_QUARANTINE_DAYS/);
    }
  });

  it('expires an item its days after its time, in epoch seconds; keeps one without a readable time', () => {
    const env = { RETENTION_NETCORE_TRANSCRIPTS_DAYS: '7' };
    expect(expiresAt('NETCORE_TRANSCRIPTS', '2026-11-01T00:00:00.000Z', env)).toBe(Date.parse('2026-11-08T00:00:00.000Z') / 1000);
    expect(expiresAt('NETCORE_TRANSCRIPTS', undefined, env)).toBeUndefined();
    expect(expiresAt('NETCORE_TRANSCRIPTS', 'yesterday', env)).toBeUndefined();
    expect(expiry('NETCORE_TRANSCRIPTS', '2026-11-01T00:00:00.000Z', {})).toEqual({});
  });

  it('declares the same classes in the topology, each table with the TTL attribute the code writes', () => {
    // The classes the README documents, each declared on the tables the code writes it to.
    expect(Object.keys(retentionClasses).sort()).toEqual(['GOODAYS_EVENTS', 'NETCORE_TRANSCRIPTS', 'QUARANTINE', 'RAW_BODIES']);
    expect(retentionClasses).toMatchObject({ RAW_BODIES: ['rungopher-results'], GOODAYS_EVENTS: ['goodays-events', 'goodays-threads'], NETCORE_TRANSCRIPTS: ['netcore-transcripts'], QUARANTINE: ['quarantine'] });
    for (const list of Object.values(retentionClasses)) {
      expect(list.length).toBeGreaterThan(0);
      for (const t of list) expect((tables[t] as { ttlAttribute?: string }).ttlAttribute, t).toBe(TTL_ATTRIBUTE);
    }
  });
});
