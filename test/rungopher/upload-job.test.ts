import { describe, expect, it } from 'vitest';
import type { ClaimOwner, UploadStore } from '#rungopher/adapters/upload-store.ts';
import type { UploadContactsRequest } from '#rungopher/domain/campaign.ts';
import { chunkContacts, type BatchRecord, type JobContact, type UploadJobRecord } from '#rungopher/domain/upload-job.ts';
import { runUploadJob } from '#rungopher/use-cases/upload-job.ts';
import type { TimeBudget } from '#platform/time-budget.ts';
import type { CustomerLink } from '#platform/identity.ts';
import { contactIdentifier } from '#rungopher/domain/customer.ts';

/**
 * The upload job's state machine with an in-memory store that keeps DynamoDB's conditions: a batch
 * found `sending` is never sent again, a job run twice at once sends each batch once, and a run short
 * of time hands the rest to a new message. (The hub-level tests run it on dynalite and the sandbox.)
 */
function memoryStore(): UploadStore & { claims: Map<string, ClaimOwner>; batchesOf: Map<string, BatchRecord> } {
  const jobs = new Map<string, UploadJobRecord>();
  const chunks = new Map<string, JobContact[]>();
  const batchesOf = new Map<string, BatchRecord>();
  const claims = new Map<string, ClaimOwner>();
  const tick = () => new Promise((r) => setImmediate(r));
  return {
    claims,
    batchesOf,
    async create(job, cs) {
      cs.forEach((c, n) => chunks.set(`${job.jobId}#${n}`, [...c]));
      jobs.set(job.jobId, job);
    },
    async getJob(id) {
      await tick();
      return jobs.get(id);
    },
    async setJob(id, patch) {
      const j = jobs.get(id);
      if (j) jobs.set(id, { ...j, ...patch });
    },
    async chunk(id, n) {
      // As the DynamoDB store reads it: an erased entry keeps its place, as undefined.
      return (chunks.get(`${id}#${n}`) ?? []).map((c) => ('contact' in c && c.contact ? c : undefined));
    },
    async batches(id) {
      return [...batchesOf].filter(([k]) => k.startsWith(`${id}#`)).map(([, v]) => v);
    },
    async batch(id, n) {
      await tick();
      return batchesOf.get(`${id}#${n}`);
    },
    async putBatch(id, record, from) {
      await tick();
      const k = `${id}#${record.batch}`;
      const now = batchesOf.get(k);
      if (from === 'absent' ? now !== undefined : from !== undefined && now?.state !== from) return false;
      batchesOf.set(k, record);
      return true;
    },
    async claim(key, owner, takeOver) {
      await tick();
      const holder = claims.get(key);
      const expect = takeOver ?? owner;
      const ok = takeOver ? holder?.jobId === expect.jobId && holder.batch === expect.batch : !holder || (holder.jobId === expect.jobId && holder.batch === expect.batch);
      if (ok) claims.set(key, owner);
      return ok;
    },
    async getClaim(key) {
      return claims.get(key);
    },
    async release(key, owner) {
      const h = claims.get(key);
      if (h?.jobId === owner.jobId && h.batch === owner.batch) claims.delete(key);
    },
  };
}

const contacts = (n: number) => Array.from({ length: n }, (_, i) => ({ line: i + 2, contact: { contactId: `c${i}`, firstName: 'A', lastName: 'B', mobile: `+6141230${String(i).padStart(4, '0')}` } }));

function job(id: string, n: number, batchSize: number, refs: UploadJobRecord['chunks']): UploadJobRecord {
  return {
    jobId: id,
    campaignId: '100',
    campaignTitle: 't',
    mode: 'test',
    state: 'queued',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    operator: 'ann',
    resendUnknown: false,
    batchSize,
    batchCount: Math.ceil(n / batchSize),
    contacts: n,
    rows: n,
    invalid: 0,
    duplicates: 0,
    chunks: refs,
    estimate: { totalVendor: 0, totalCarrier: 0, extraSegmentsVendor: 0, extraSegmentsCarrier: 0 },
  };
}

const plenty: TimeBudget = { remainingMs: () => 600_000, reserveMs: 5_000, requestMs: 0 };

async function seeded(n: number, batchSize: number, id = 'rgu_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa') {
  const store = memoryStore();
  const { refs, chunks } = chunkContacts(contacts(n));
  await store.create(job(id, n, batchSize, refs), chunks);
  return { store, id };
}

describe('runUploadJob', () => {
  it('a batch found `sending` (the worker died mid-request) becomes unknown and is never sent again; the job stops', async () => {
    const { store, id } = await seeded(4, 2);
    await store.putBatch(id, { batch: 1, state: 'sending', size: 2, firstLine: 2, lastLine: 3, sent: 2, started: 0, alreadyStarted: 0, unknownHeld: 0, skipped: 0, warnings: [], warningCount: 0, updatedAt: '' }, 'absent');
    const sent: UploadContactsRequest[] = [];
    const outcome = await runUploadJob(id, plenty, { store, upload: async (_c, r) => (sent.push(r), { started: r.contacts.length, warnings: [] }), requeue: async () => undefined });
    expect(outcome).toBe('failed');
    expect(sent).toEqual([]);
    expect((await store.batches(id)).map((b) => [b.batch, b.state])).toEqual([
      [1, 'unknown'],
      [2, 'not-sent'],
    ]);
  });

  it('a batch another live run is sending (its lease not over) is left to that run', async () => {
    const { store, id } = await seeded(2, 2);
    const lease = new Date(Date.now() + 60_000).toISOString();
    await store.putBatch(id, { batch: 1, state: 'sending', size: 2, firstLine: 2, lastLine: 3, sent: 2, started: 0, alreadyStarted: 0, unknownHeld: 0, skipped: 0, warnings: [], warningCount: 0, leaseUntil: lease, updatedAt: '' }, 'absent');
    const sent: UploadContactsRequest[] = [];
    expect(await runUploadJob(id, plenty, { store, upload: async (_c, r) => (sent.push(r), { started: 2, warnings: [] }), requeue: async () => undefined })).toBe('busy');
    expect(sent).toEqual([]);
    expect((await store.batches(id)).map((b) => b.state)).toEqual(['sending']);
  });

  it('the same job run twice at once sends each batch once', async () => {
    const { store, id } = await seeded(9, 2);
    const sent: string[] = [];
    const ports = { store, upload: async (_c: number, r: UploadContactsRequest) => (sent.push(...r.contacts.map((c) => c.contactId)), { started: r.contacts.length, warnings: [] }), requeue: async () => undefined };
    const outcomes = await Promise.all([runUploadJob(id, plenty, ports), runUploadJob(id, plenty, ports)]);
    expect(outcomes).toContain('done');
    expect(sent.sort()).toEqual(contacts(9).map((c) => c.contact.contactId).sort());
  });

  it('short of time, it queues itself again before the next batch and resumes where it stopped', async () => {
    const { store, id } = await seeded(6, 2);
    let left = 2;
    const budget: TimeBudget = { remainingMs: () => (left-- > 0 ? 600_000 : 1_000), reserveMs: 5_000, requestMs: 0 };
    const requeued: string[] = [];
    const sent: string[] = [];
    const ports = { store, upload: async (_c: number, r: UploadContactsRequest) => (sent.push(...r.contacts.map((c) => c.contactId)), { started: r.contacts.length, warnings: [] }), requeue: async (j: string) => void requeued.push(j), batchMs: 150_000 };
    expect(await runUploadJob(id, budget, ports)).toBe('continued');
    expect(requeued).toEqual([id]);
    expect(sent.length).toBeLessThan(6);
    expect(await runUploadJob(id, plenty, ports)).toBe('done');
    expect(sent.sort()).toEqual(contacts(6).map((c) => c.contact.contactId).sort());
  });

  it('a vendor 5xx makes the batch unknown and keeps its claims; a 4xx makes it failed and frees them', async () => {
    const { VendorError } = await import('#platform/errors.ts');
    const a = await seeded(2, 2, 'rgu_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb');
    await runUploadJob(a.id, plenty, { store: a.store, upload: async () => Promise.reject(new VendorError('boom', 'rungopher', 500, true, true)), requeue: async () => undefined });
    expect([...a.store.batchesOf.values()].map((b) => b.state)).toEqual(['unknown']);
    expect(a.store.claims.size).toBe(2);
    const b = await seeded(2, 2, 'rgu_cccccccccccccccccccccccccccccccc');
    await runUploadJob(b.id, plenty, { store: b.store, upload: async () => Promise.reject(new VendorError('no', 'rungopher', 400, false, false, ['bad'])), requeue: async () => undefined });
    expect([...b.store.batchesOf.values()].map((x) => [x.state, x.error])).toEqual([['failed', 'Rungopher 400: bad']]);
    expect(b.store.claims.size).toBe(0);
  });

  it('links every contact of every batch in the customer index, also of batches not sent after a failure', async () => {
    const { VendorError } = await import('#platform/errors.ts');
    const { store, id } = await seeded(5, 2, 'rgu_dddddddddddddddddddddddddddddddd');
    const linked: CustomerLink[] = [];
    await runUploadJob(id, plenty, { store, upload: async () => Promise.reject(new VendorError('no', 'rungopher', 400, false, false, ['bad'])), requeue: async () => undefined, link: async (l) => void linked.push(...l) });
    expect([...store.batchesOf.values()].map((b) => b.state)).toEqual(['failed', 'not-sent', 'not-sent']);
    expect(linked.map((l) => l.identifiers.find((i) => i.startsWith('rungopher:contact:')))).toEqual(contacts(5).map((c) => contactIdentifier('100', c.contact.contactId)));
    expect(linked[4]?.identifiers).toContain(`phone:${contacts(5)[4]?.contact.mobile ?? ''}`);
    expect(linked[4]?.ref).toMatchObject({ table: 'rungopher-uploads', scope: 'entries', key: { pk: `job#${id}`, sk: 'chunk#000000' }, list: 'contacts', match: { field: 'line', equals: 6 } });
    expect(linked[4]?.also?.find((r) => r.scope === 'entries')).toMatchObject({ key: { sk: 'batch#000003' }, list: 'warnings' });
  });

  it('leaves out a contact erased from its chunk (kept in place as { line, erased })', async () => {
    const { store, id } = await seeded(3, 3, 'rgu_eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee');
    const chunk = await store.chunk(id, 0);
    await store.create(job(id, 3, 3, [{ n: 0, from: 0, count: 3 }]), [[chunk[0] as JobContact, { line: 3, erased: true } as unknown as JobContact, chunk[2] as JobContact]]);
    const sent: string[] = [];
    expect(await runUploadJob(id, plenty, { store, upload: async (_c, r) => (sent.push(...r.contacts.map((c) => c.contactId)), { started: r.contacts.length, warnings: [] }), requeue: async () => undefined })).toBe('done');
    expect(sent).toEqual(['c0', 'c2']);
  });
});
