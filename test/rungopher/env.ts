import { ScanCommand } from '@aws-sdk/client-dynamodb';
import type { TableName } from '#infra/topology/index.ts';
import { tables as declaredTables } from '#infra/topology/index.ts';
import { startTestAws } from '#test/helpers/emulators.ts';

/** An in-memory dynalite with the topology's tables, for suites that do not need the whole hub. */
export interface TestDynamo {
  readonly endpoint: string;
  readonly tables: Record<TableName, string>;
  /** Every item of a table (small test tables only). */
  scan(table: TableName): Promise<Record<string, unknown>[]>;
  stop(): Promise<void>;
}

/**
 * Starts the test harness's local AWS ({@link startTestAws}) with every declared table (same keys and
 * indexes as on AWS) and the AWS variables pointed at it. Call it before the first dynamic import of
 * `#platform/aws.ts`, whose client reads `AWS_ENDPOINT_URL_DYNAMODB`.
 */
export async function startTestDynamo(): Promise<TestDynamo> {
  const aws = await startTestAws({ tables: Object.keys(declaredTables) as TableName[] });
  return {
    endpoint: aws.dynamoEndpoint,
    tables: aws.tables,
    async scan(table) {
      // Attribute values flattened to their string form (numbers stay strings), as the suites expect.
      const out = await aws.dynamo.send(new ScanCommand({ TableName: aws.tables[table] }));
      return (out.Items ?? []).map((item) => Object.fromEntries(Object.entries(item).map(([k, v]) => [k, v.S ?? v.N ?? v])));
    },
    stop: () => aws.stop(),
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
