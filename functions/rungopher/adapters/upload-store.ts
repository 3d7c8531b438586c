import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { conditionalWrite, dynamo, queryAll } from '#platform/aws.ts';
import type { BatchRecord, BatchState, JobContact, UploadJobRecord } from '#rungopher/domain/upload-job.ts';

/** Who holds a contact's claim: a job and one of its batches. */
export interface ClaimOwner {
  readonly jobId: string;
  readonly batch: number;
}

/**
 * Port: the uploads table. One partition per job (`job#<id>`: the job, its chunks of contacts, its
 * batches) and one item per contact ever sent (`claim#<hash>`), written with a condition so that
 * exactly one job owns each contact of a campaign and mode.
 */
export interface UploadStore {
  /** Writes the chunks, then the job (a job is never visible before its contacts). */
  create(job: UploadJobRecord, chunks: readonly (readonly JobContact[])[]): Promise<void>;
  getJob(jobId: string): Promise<UploadJobRecord | undefined>;
  setJob(jobId: string, patch: Partial<Pick<UploadJobRecord, 'state' | 'error'>>): Promise<void>;
  /** A chunk's contacts in order; an entry erased for a person's erasure is undefined (it keeps its place). */
  chunk(jobId: string, n: number): Promise<(JobContact | undefined)[]>;
  batches(jobId: string): Promise<BatchRecord[]>;
  batch(jobId: string, batch: number): Promise<BatchRecord | undefined>;
  /** Writes a batch record; with `from`, only if the stored one is in that state (or absent, for `undefined`). False when not. */
  putBatch(jobId: string, record: BatchRecord, from?: BatchState | 'absent'): Promise<boolean>;
  /** Claims a contact for `owner` unless another owner holds it; with `takeOver`, only from that owner. */
  claim(key: string, owner: ClaimOwner, takeOver?: ClaimOwner): Promise<boolean>;
  getClaim(key: string): Promise<ClaimOwner | undefined>;
  /** Gives a claim up (only if `owner` still holds it): the contact was not started. */
  release(key: string, owner: ClaimOwner): Promise<void>;
}

const JOB_SK = 'job';
const chunkSk = (n: number): string => `chunk#${String(n).padStart(6, '0')}`;
const batchSk = (n: number): string => `batch#${String(n).padStart(6, '0')}`;
const jobPk = (id: string): string => `job#${id}`;

/** The uploads table in DynamoDB. */
export function dynamoUploadStore(table: string): UploadStore {
  const strip = <T>(item: Record<string, unknown>): T => {
    const { pk: _pk, sk: _sk, ...rest } = item;
    return rest as T;
  };
  return {
    async create(job, chunks) {
      // Each chunk says where it sits in its job, so the customer index can be rebuilt from a chunk alone.
      const meta = { campaignId: job.campaignId, mode: job.mode, createdAt: job.createdAt, batchSize: job.batchSize };
      for (const [n, contacts] of chunks.entries()) {
        await dynamo.send(new PutCommand({ TableName: table, Item: { pk: jobPk(job.jobId), sk: chunkSk(n), ...meta, from: job.chunks[n]?.from ?? 0, contacts } }));
      }
      await dynamo.send(new PutCommand({ TableName: table, Item: { pk: jobPk(job.jobId), sk: JOB_SK, ...job }, ConditionExpression: 'attribute_not_exists(pk)' }));
    },
    async getJob(jobId) {
      const r = await dynamo.send(new GetCommand({ TableName: table, Key: { pk: jobPk(jobId), sk: JOB_SK }, ConsistentRead: true }));
      return r.Item ? strip<UploadJobRecord>(r.Item) : undefined;
    },
    async setJob(jobId, patch) {
      const entries = Object.entries({ ...patch, updatedAt: new Date().toISOString() }).filter(([, v]) => v !== undefined);
      await dynamo.send(
        new UpdateCommand({
          TableName: table,
          Key: { pk: jobPk(jobId), sk: JOB_SK },
          UpdateExpression: `SET ${entries.map((_, i) => `#k${i} = :v${i}`).join(', ')}`,
          ExpressionAttributeNames: Object.fromEntries(entries.map(([k], i) => [`#k${i}`, k])),
          ExpressionAttributeValues: Object.fromEntries(entries.map(([, v], i) => [`:v${i}`, v])),
          ConditionExpression: 'attribute_exists(pk)',
        }),
      );
    },
    async chunk(jobId, n) {
      const r = await dynamo.send(new GetCommand({ TableName: table, Key: { pk: jobPk(jobId), sk: chunkSk(n) }, ConsistentRead: true }));
      // An entry erased for a person's erasure (`{ line, erased: true }`) keeps its place and is left out.
      const contacts = (r.Item?.contacts as (JobContact | { line: number; erased: true })[] | undefined) ?? [];
      return contacts.map((c) => ('contact' in c && c.contact ? c : undefined));
    },
    async batches(jobId) {
      const items = await queryAll({
        TableName: table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :b)',
        ExpressionAttributeValues: { ':pk': jobPk(jobId), ':b': 'batch#' },
        ConsistentRead: true,
      });
      return items.map((i) => strip<BatchRecord>(i));
    },
    async batch(jobId, n) {
      const r = await dynamo.send(new GetCommand({ TableName: table, Key: { pk: jobPk(jobId), sk: batchSk(n) }, ConsistentRead: true }));
      return r.Item ? strip<BatchRecord>(r.Item) : undefined;
    },
    async putBatch(jobId, record, from) {
      const condition =
        from === undefined
          ? {}
          : from === 'absent'
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : { ConditionExpression: '#s = :from', ExpressionAttributeNames: { '#s': 'state' }, ExpressionAttributeValues: { ':from': from } };
      return conditionalWrite(() => dynamo.send(new PutCommand({ TableName: table, Item: { pk: jobPk(jobId), sk: batchSk(record.batch), ...record }, ...condition })));
    },
    async claim(key, owner, takeOver) {
      const holder = takeOver ?? owner;
      return conditionalWrite(() =>
        dynamo.send(
          new PutCommand({
            TableName: table,
            Item: { pk: key, sk: 'claim', jobId: owner.jobId, batch: owner.batch, claimedAt: new Date().toISOString() },
            ConditionExpression: takeOver ? 'jobId = :j AND #b = :b' : 'attribute_not_exists(pk) OR (jobId = :j AND #b = :b)',
            ExpressionAttributeNames: { '#b': 'batch' },
            ExpressionAttributeValues: { ':j': holder.jobId, ':b': holder.batch },
          }),
        ),
      );
    },
    async getClaim(key) {
      const r = await dynamo.send(new GetCommand({ TableName: table, Key: { pk: key, sk: 'claim' }, ConsistentRead: true }));
      return r.Item ? { jobId: String(r.Item.jobId), batch: Number(r.Item.batch) } : undefined;
    },
    async release(key, owner) {
      await conditionalWrite(() =>
        dynamo.send(
          new DeleteCommand({
            TableName: table,
            Key: { pk: key, sk: 'claim' },
            ConditionExpression: 'jobId = :j AND #b = :b',
            ExpressionAttributeNames: { '#b': 'batch' },
            ExpressionAttributeValues: { ':j': owner.jobId, ':b': owner.batch },
          }),
        ),
      );
    },
  };
}
