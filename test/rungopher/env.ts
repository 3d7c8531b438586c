import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import type { AddressInfo } from 'node:net';
import { LOCAL_AWS_ENV, createTables } from '#infra/local/emulators.ts';
import type { TableName } from '#infra/topology/index.ts';

/** An in-memory dynalite with the topology's tables, for suites that do not need the whole hub. */
export interface TestDynamo {
  readonly endpoint: string;
  readonly tables: Record<TableName, string>;
  /** Every item of a table (small test tables only). */
  scan(table: TableName): Promise<Record<string, unknown>[]>;
  stop(): Promise<void>;
}

/**
 * Starts dynalite on a random loopback port, creates the declared tables (same keys and indexes as on
 * AWS) and points the AWS variables at it. Call it before the first dynamic import of
 * `#platform/aws.ts`, whose client reads `AWS_ENDPOINT_URL_DYNAMODB`.
 */
export async function startTestDynamo(): Promise<TestDynamo> {
  const server = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  Object.assign(process.env, LOCAL_AWS_ENV, { AWS_ENDPOINT_URL_DYNAMODB: endpoint });
  const client = new DynamoDBClient({ endpoint, region: LOCAL_AWS_ENV.AWS_REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const tables = await createTables(client);
  return {
    endpoint,
    tables,
    async scan(table) {
      const out = await client.send(new ScanCommand({ TableName: tables[table] }));
      return (out.Items ?? []).map((item) => Object.fromEntries(Object.entries(item).map(([k, v]) => [k, v.S ?? v.N ?? v])));
    },
    async stop() {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let nextResultId = 1000;

/** A valid Rungopher result (the document's boolean sample) with a fresh id and overrides. */
export function sampleResult(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    campaignId: 15,
    campaignToken: '143-dfvsm-3r3ndkd',
    contactId: '1',
    id: nextResultId++,
    resultType: 'boolean',
    resultName: 'accepted',
    data: { answer: 'yes' },
    context: 'Yes, that would be great, thanks!',
    timestamp: '2017-11-14T10:56:14Z',
    ...overrides,
  };
}
