/**
 * The shapes of the topology's declarations. `platform.ts` and one file per vendor declare the values;
 * `index.ts` merges them. Names a declaration refers to (tables, queues, secrets) are the merged
 * names, so a vendor file that names something nobody declared fails `tsc`.
 */
import type { EventType, QueueName, SecretName, TableName } from './index.ts';

/** A DynamoDB table. Attribute types are strings unless named in `numberAttributes`. */
export interface TableDecl {
  readonly partitionKey: string;
  readonly sortKey?: string;
  readonly numberAttributes?: readonly string[];
  readonly indexes?: readonly IndexDecl[];
  /** Attribute holding an epoch-seconds expiry. */
  readonly ttlAttribute?: string;
  /**
   * The retention class whose `RETENTION_<CLASS>_DAYS` expires this table's items (through
   * `ttlAttribute`, which `functions/platform/retention.ts` writes as `expiresAt`). @default none: kept
   */
  readonly retention?: RetentionClassName;
  /**
   * Whether items can hold a customer's personal data (phone numbers, e-mail addresses, their words,
   * ids linked to them). The customer functions may read and erase every such table. @default true
   */
  readonly personalData?: boolean;
  readonly description: string;
}

/** A global secondary index of a table. */
export interface IndexDecl {
  readonly name: string;
  readonly partitionKey: string;
  readonly sortKey?: string;
  /**
   * What the index holds of each item: every attribute, or only the keys (a count or a list of ids
   * needs no more, and costs less to write). @default 'all'
   */
  readonly projection?: 'all' | 'keys';
  /**
   * An attention index: a sparse index of the items that wait for a person. Its partition key
   * attribute holds `reason` on such an item and is absent on every other (set and removed in the same
   * write that enters and leaves that state); its sort key, required, is the ISO-8601 time the item has
   * waited since. `GET /status` counts each one with a paged `Query` (`Select: COUNT`) and shows the
   * oldest; the operator function may query these indexes and nothing else of their tables.
   */
  readonly attention?: {
    /** The partition key value of the waiting items, lower-case words (`outcome-unknown`). */
    readonly reason: string;
    /** What a person must do about them, shown with the count. */
    readonly description: string;
  };
}

/** A retention class (`RETENTION_<CLASS>_DAYS`, off by default): upper case, named by the tables that hold it. */
export type RetentionClassName = string;

/** An SQS queue; every queue gets a DLQ. */
export interface QueueDecl {
  readonly description: string;
  /**
   * The one function whose trigger is this queue (its timeout sets the visibility timeout). A string
   * here, because a function's trigger names its queue and TypeScript cannot check both ways in one
   * declaration; `index.ts` checks it against the declared function names.
   */
  readonly consumer: string;
  /** Receives before a message goes to the DLQ. @default 5 */
  readonly maxReceiveCount?: number;
  /** Source queue retention. @default 4 days */
  readonly retentionDays?: number;
  /** DLQ retention, longer than the source's. @default 14 days */
  readonly dlqRetentionDays?: number;
}

/** A Secrets Manager secret holding a JSON object; each key is also an environment variable name locally. */
export interface SecretDecl {
  readonly description: string;
  /** Keys the hub generates (random tokens) when the secret is created. */
  readonly generatedKeys: readonly string[];
  /** Keys an operator fills in after deploy (vendor credentials). */
  readonly operatorKeys: readonly string[];
}

export interface HttpRoute {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** API Gateway route path with `{param}` segments. */
  readonly path: string;
}

export type Trigger =
  | {
      readonly kind: 'http';
      readonly routes: readonly HttpRoute[];
      /**
       * Also answers every request no route matches (API Gateway's `$default` route, route key
       * `$default`); at most one function. @default false
       */
      readonly catchAll?: boolean;
    }
  | {
      readonly kind: 'queue';
      readonly queue: QueueName;
      /** Records per invocation (1-10). */
      readonly batchSize: number;
      /** Concurrent invocations at most (Lambda's SQS maximum concurrency, >= 2). */
      readonly maxConcurrency: number;
      /** Seconds Lambda waits to fill a batch. @default 0 */
      readonly maxBatchingWindowSeconds?: number;
    }
  | { readonly kind: 'schedule'; readonly rateMinutes: number }
  | {
      /**
       * Every subscription's delivery queue (one per subscription, made from the stack's or the local
       * hub's subscription list, see `subscriptions.ts`), with Lambda's SQS semantics as for `queue`.
       */
      readonly kind: 'subscriptions';
      /** Records per invocation (1-10). */
      readonly batchSize: number;
      /** Concurrent invocations at most per subscription queue (Lambda's SQS maximum concurrency, >= 2). */
      readonly maxConcurrency: number;
      /** Seconds Lambda waits to fill a batch. @default 0 */
      readonly maxBatchingWindowSeconds?: number;
    };

/** An outbound event type: published after the change it announces is stored. */
export interface EventDecl {
  readonly description: string;
  /** Version of its `data` schema; additive changes only within a version. */
  readonly version: number;
}

/** An alarm on a custom metric of one function. */
export interface AlarmDecl {
  readonly metric: string;
  readonly threshold: number;
  readonly description: string;
  /**
   * A quiet-source alarm: it fires when the metric's sum stays below `threshold` for the whole window
   * (no data counts as quiet). The window in minutes is the CDK context value (or environment
   * variable) named `minutesSetting`, else `defaultMinutes`.
   */
  readonly quiet?: { readonly minutesSetting: string; readonly defaultMinutes: number };
  /** `Sum` for counters; `Maximum` for gauges (a level published each run). @default 'Sum' */
  readonly statistic?: 'Sum' | 'Maximum';
  /**
   * Whether no data is an alarm. True for a gauge a schedule must publish: a poller that stopped
   * running must not look healthy. @default false
   */
  readonly missingIsBreaching?: boolean;
}

export interface FunctionDecl {
  /** Path of the handler module from the project root; its export is `handler`. */
  readonly entry: string;
  readonly description: string;
  readonly trigger: Trigger;
  /** @default 30 */
  readonly timeoutSeconds?: number;
  /** @default 512 */
  readonly memoryMb?: number;
  readonly reads?: readonly TableName[];
  readonly writes?: readonly TableName[];
  readonly sends?: readonly QueueName[];
  readonly secrets?: readonly SecretName[];
  /** Plain, non-secret settings. */
  readonly environment?: Readonly<Record<string, string>>;
  /** Event types it publishes (to the hub's bus: on AWS EventBridge, locally the in-process router). */
  readonly publishes?: readonly EventType[];
  /**
   * Its events go as notices on this queue (one it `sends` to), whose consumer publishes them: it has
   * `HUB_EVENT_BUS` (events are on) but no PutEvents permission and no EventBridge client. A webhook's
   * `hub.quarantined`, so its cold start loads no client for a rare path.
   */
  readonly publishesThrough?: QueueName;
  /** Reads and redrives every subscription's queue and DLQ (the operator API of subscriptions). */
  readonly operatesSubscriptions?: boolean;
  /** Custom metrics (namespace Switchboard, dimension service=<function name>) the dashboard graphs. */
  readonly metrics?: readonly string[];
  /** Alarms on custom metrics, over 5 minutes, >= threshold. */
  readonly alarms?: readonly AlarmDecl[];
  /**
   * An HTTP function's route descriptions for the OpenAPI document: the path of a module whose export
   * `routes` (an `ApiDoc` of `functions/platform/api-doc.ts`) describes each of its routes. Loaded by
   * path at build time, never bundled into the function.
   */
  readonly apiDoc?: string;
  /**
   * Its bundle carries the static-asset folder (`static/`: the OpenAPI document, the API reference)
   * that `infra/openapi/` writes. @default false
   */
  readonly staticAssets?: boolean;
  /**
   * Queues whose depth (and their DLQ's) this function reads and whose DLQ it may redrive (on AWS an
   * SQS message move task: exactly the permissions that needs, on those queues only). `'all'`: every
   * declared queue, which the function may also send to (a quarantined body is retried on its queue).
   */
  readonly operatesQueues?: readonly QueueName[] | 'all';
  /**
   * The poller streams this function keeps in the `cursors` table: cursor names starting with
   * `prefix`, whose stored value is JSON with the stream's position (an ISO-8601 time) in
   * `positionField`. Operators list, reset and backfill them through the hub.
   */
  readonly streams?: readonly { readonly prefix: string; readonly positionField: string; readonly description: string }[];
  /**
   * Reads and writes every table that holds personal data (see {@link TableDecl.personalData}), on top
   * of `reads` and `writes`: the customer functions, which find, export and erase a person everywhere.
   * @default false
   */
  readonly personalDataTables?: boolean;
  /**
   * Counts every table's attention indexes (see {@link IndexDecl.attention}) for `GET /status`: it may
   * `Query` those indexes only, not read their tables. @default false
   */
  readonly countsAttention?: boolean;
}


/**
 * What `platform.ts` and each vendor file export: the vendor's own tables, queues, secrets and
 * functions. A vendor is registered once, in `vendors` in `index.ts`.
 */
export interface TopologyModule {
  /** Lower-case id, the prefix of the vendor's resource names (`rungopher`). */
  readonly name: string;
  /** How people write it (`Rungopher`). */
  readonly title: string;
  readonly tables: Readonly<Record<string, TableDecl>>;
  readonly queues: Readonly<Record<string, QueueDecl>>;
  readonly secrets: Readonly<Record<string, SecretDecl>>;
  readonly functions: Readonly<Record<string, FunctionDecl>>;
  /** The event types it publishes, each defined with the same type and version in {@link eventModule}. */
  readonly events: Readonly<Record<string, EventDecl>>;
  /** Module (path from the project root) exporting `events`, the zod definitions of {@link events}. */
  readonly eventModule: string;
}
