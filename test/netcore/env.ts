import type { Context, SQSRecord } from 'aws-lambda';
import type { TableName } from '#infra/topology/index.ts';
import { createLambdaContext } from '#infra/local/invoke.ts';
import { startTestAws } from '#test/helpers/emulators.ts';

/** Tables and queue of one test, named with its own prefix; the env variables point at them. */
export interface NetcoreResources {
  readonly tables: { readonly usage: string; readonly users: string; readonly transcripts: string; readonly cursors: string; readonly quarantine: string };
  /** Every item of the shared quarantine table. */
  quarantined(): Promise<Record<string, unknown>[]>;
  readonly queueUrl: string;
  /** Receives up to ten messages now in the queue, as Lambda would hand them over. */
  receive(): Promise<SQSRecord[]>;
  /** Deletes a received message (what Lambda does for a record not reported as failed). */
  delete(record: SQSRecord): Promise<void>;
  /** Makes a received message visible again at once (a failed record, retried without waiting). */
  release(record: SQSRecord): Promise<void>;
  /** Messages waiting in the queue, in flight included. */
  depth(): Promise<number>;
}

/**
 * Local AWS for Netcore tests (the shared harness, {@link startTestAws}): the Netcore tables,
 * `cursors`, `quarantine` and the transcripts queue (with its DLQ) from the topology, under a prefix
 * per test, and the environment variables the functions read. Modules that import
 * `#platform/aws.ts` must be imported after {@link startNetcoreEmulators}.
 */
export interface NetcoreEmulators {
  /** Creates the Netcore tables, `cursors` and the transcripts queue under `prefix`, and sets the env. */
  provision(prefix: string): Promise<NetcoreResources>;
  stop(): Promise<void>;
}

const NETCORE_TABLES = ['netcore-usage', 'netcore-users', 'netcore-transcripts', 'cursors', 'quarantine', 'customer-index'] as const satisfies readonly TableName[];

export async function startNetcoreEmulators(): Promise<NetcoreEmulators> {
  const aws = await startTestAws();

  async function provision(prefix: string): Promise<NetcoreResources> {
    // Failed jobs are released by the tests themselves; 60 s keeps a received job out of the way until then.
    const { tables, queues } = await aws.provision({ tables: NETCORE_TABLES, queues: ['netcore-transcripts'], name: (n) => `${prefix}-${n}`, visibilityTimeoutSeconds: 60 });
    const q = 'netcore-transcripts';
    return {
      tables: { usage: tables['netcore-usage'], users: tables['netcore-users'], transcripts: tables['netcore-transcripts'], cursors: tables.cursors, quarantine: tables.quarantine },
      quarantined: () => aws.scan('quarantine'),
      queueUrl: queues[q].url,
      receive: () => aws.receive(q),
      delete: (record) => aws.delete(q, record),
      release: (record) => aws.release(q, record),
      depth: () => aws.depth(q),
    };
  }

  return { provision, stop: () => aws.stop() };
}

/** A Lambda context whose remaining time is what `remaining()` says. */
export function fakeContext(remaining: () => number = () => 60_000, name = 'netcore-test'): Context {
  return createLambdaContext(name, remaining);
}
