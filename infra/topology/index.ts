/**
 * The one declaration of every table, queue, secret and function of the hub. The CDK stack
 * (`infra/stack.ts`) and the local runtime (`infra/local/hub.ts`) are both built from it, so what
 * runs on this machine is what runs on AWS. Runtime code never imports this file: functions learn
 * their resources from environment variables (see {@link envForFunction}).
 *
 * What every vendor shares is in `platform.ts`, each vendor's own resources in `<vendor>.ts`; this
 * file merges them. Adding a vendor is one line in {@link vendors}.
 */
import * as customers from './customers.ts';
import * as goodays from './goodays.ts';
import * as netcore from './netcore.ts';
import * as platform from './platform.ts';
import * as rungopher from './rungopher.ts';
import type { FunctionDecl, IndexDecl, RetentionClassName, TableDecl, TopologyModule } from './types.ts';

export type { AlarmDecl, EventDecl, FunctionDecl, HttpRoute, IndexDecl, QueueDecl, SecretDecl, TableDecl, TopologyModule, Trigger } from './types.ts';

/** Every vendor the hub integrates, one line each. */
export const vendors = [rungopher, goodays, netcore] as const;

/** A vendor's id (`rungopher`, ...). */
export type VendorName = (typeof vendors)[number]['name'];

type Modules = typeof platform | typeof customers | (typeof vendors)[number];
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
type Kind = 'tables' | 'queues' | 'secrets' | 'functions' | 'events';
type Merged<K extends Kind> = UnionToIntersection<Modules[K]>;

/** One kind of declaration of the platform and every vendor, in one record; a name declared twice is an error. */
function merge<K extends Kind>(kind: K, modules: readonly TopologyModule[]): Merged<K> {
  const out: Record<string, unknown> = {};
  for (const m of modules) {
    for (const [key, decl] of Object.entries(m[kind])) {
      if (key in out) throw new Error(`Topology: ${kind} "${key}" is declared twice (again by ${m.name})`);
      out[key] = decl;
    }
  }
  return out as Merged<K>;
}

const modules: readonly TopologyModule[] = [platform, ...vendors, customers];

export const tables = merge('tables', modules);
export const queues = merge('queues', modules);
export const secrets = merge('secrets', modules);
export const functions = withPersonalDataTables(merge('functions', modules));
/** Every outbound event type: `<source>.<noun>.<verb>`. */
export const events = merge('events', modules);

/** Every table whose items can hold personal data (`personalData` not false), in declaration order. */
export function personalDataTables(): TableName[] {
  return (Object.entries(tables) as [TableName, TableDecl][]).filter(([, d]) => d.personalData !== false).map(([n]) => n);
}

/** A function declared with `personalDataTables` reads and writes every such table, as well as its own. */
function withPersonalDataTables<F extends Record<string, FunctionDecl>>(fns: F): F {
  const personal = (Object.entries(tables) as [string, TableDecl][]).filter(([, d]) => d.personalData !== false).map(([n]) => n);
  const out: Record<string, FunctionDecl> = {};
  for (const [name, decl] of Object.entries(fns)) {
    out[name] = decl.personalDataTables
      ? ({ ...decl, reads: [...new Set([...(decl.reads ?? []), ...personal])], writes: [...new Set([...(decl.writes ?? []), ...personal])] } as FunctionDecl)
      : decl;
  }
  return out as F;
}

export type TableName = keyof typeof tables;
export type QueueName = keyof typeof queues;
export type SecretName = keyof typeof secrets;
export type FunctionName = keyof typeof functions;
export type EventType = keyof typeof events;

/** The platform and every vendor, each with its event module. */
export const topologyModules: readonly TopologyModule[] = modules;

/** Each queue's consumer, typed: a queue naming a function nobody declared fails `tsc` here. */
const consumers: Readonly<Record<QueueName, { readonly consumer: FunctionName }>> = queues;

/** Environment variable naming a table, e.g. `TABLE_RUNGOPHER_RESULTS`. */
export const tableEnv = (name: TableName): string => `TABLE_${envKey(name)}`;
/** Environment variable naming a queue URL, e.g. `QUEUE_RUNGOPHER_RESULTS_URL`. */
export const queueEnv = (name: QueueName): string => `QUEUE_${envKey(name)}_URL`;
/** Environment variable naming a secret's ARN, e.g. `SECRET_RUNGOPHER_ARN`. */
export const secretEnv = (name: SecretName): string => `SECRET_${envKey(name)}_ARN`;
/** A queue's DLQ URL, its ARN and its DLQ's ARN, for a function that operates it. */
export const dlqEnv = (name: QueueName): string => `QUEUE_${envKey(name)}_DLQ_URL`;
export const queueArnEnv = (name: QueueName): string => `QUEUE_${envKey(name)}_ARN`;
export const dlqArnEnv = (name: QueueName): string => `QUEUE_${envKey(name)}_DLQ_ARN`;

/** An attention index of a table (see {@link IndexDecl.attention}), with its table's name. */
export interface AttentionIndex {
  readonly table: TableName;
  readonly index: string;
  readonly partitionKey: string;
  readonly sortKey: string;
  readonly reason: string;
  readonly description: string;
}

/** Every table's attention indexes, in declaration order; a malformed one fails here (at synth, at start, in tests). */
export function attentionIndexes(): AttentionIndex[] {
  const out: AttentionIndex[] = [];
  for (const [table, decl] of Object.entries(tables) as [TableName, TableDecl][]) {
    for (const ix of (decl.indexes ?? []) as readonly IndexDecl[]) {
      if (!ix.attention) continue;
      if (!ix.sortKey) throw new Error(`Table ${table}: attention index ${ix.name} needs a sort key (the time its items have waited since)`);
      if (!/^[a-z]+(-[a-z]+)*$/.test(ix.attention.reason)) throw new Error(`Table ${table}: attention reason ${ix.attention.reason} must be lower-case words joined by -`);
      out.push({ table, index: ix.name, partitionKey: ix.partitionKey, sortKey: ix.sortKey, reason: ix.attention.reason, description: ix.attention.description });
    }
  }
  return out;
}

/**
 * What the hub's operator function must know of the topology (`HUB_OPERATIONS`, JSON): the queues it
 * operates, the schedules and webhooks whose runs it shows, the poller streams it may move, and the
 * attention indexes it counts.
 */
export function operationsOf(operated: readonly QueueName[], countsAttention = false) {
  const list = Object.entries(functions).map(([name, d]) => ({ name, decl: d as FunctionDecl }));
  return {
    attention: countsAttention ? attentionIndexes() : [],
    queues: [...operated],
    schedules: list.filter((f) => f.decl.trigger.kind === 'schedule').map((f) => f.name),
    webhooks: [...new Set(list.flatMap((f) => (f.decl.trigger.kind === 'http' ? f.decl.trigger.routes.filter((r) => r.path.startsWith('/webhooks/')).map((r) => r.path.split('/')[2] ?? '') : [])))],
    streams: list.flatMap((f) => (f.decl.streams ?? []).map((s) => ({ ...s, poller: f.name }))),
  };
}

function envKey(name: string): string {
  return name.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

/** Every function declaration with its name, as a list. */
export function functionList(): (FunctionDecl & { readonly name: FunctionName; readonly operatesQueues?: readonly QueueName[] })[] {
  return Object.entries(functions).map(([name, d]) => {
    const decl = d as FunctionDecl;
    if (decl.operatesQueues !== 'all') return { ...decl, operatesQueues: decl.operatesQueues, name: name as FunctionName };
    // `'all'`: every declared queue, operated and sent to.
    const all = Object.keys(queues) as QueueName[];
    return { ...decl, operatesQueues: all, sends: [...new Set([...(decl.sends ?? []), ...all])], name: name as FunctionName };
  });
}

/** Tables a function touches, read or write. */
export function tablesOf(fn: FunctionDecl): TableName[] {
  return [...new Set([...(fn.reads ?? []), ...(fn.writes ?? [])])];
}

/**
 * The resource environment of one function, given how each runtime names resources. The CDK stack
 * passes tokens, the local runtime real names and URLs.
 */
export function envForFunction(
  fn: FunctionDecl,
  resolve: {
    table: (n: TableName) => string;
    queueUrl: (n: QueueName) => string;
    secretArn: (n: SecretName) => string;
    dlqUrl?: (n: QueueName) => string;
    queueArn?: (n: QueueName) => string;
    dlqArn?: (n: QueueName) => string;
    /** Name of the hub's event bus, given to functions that publish. */
    eventBus?: string;
    /** The subscription variables (`HUB_SUBSCRIPTIONS`, `HUB_SUBSCRIPTION_QUEUES`), given to their consumer and operator. */
    subscriptions?: Readonly<Record<string, string>>;
  },
): Record<string, string> {
  const env: Record<string, string> = { ...fn.environment };
  if (fn.publishes?.length && resolve.eventBus) env.HUB_EVENT_BUS = resolve.eventBus;
  if (fn.trigger.kind === 'subscriptions' || fn.operatesSubscriptions) Object.assign(env, resolve.subscriptions ?? {});
  for (const t of tablesOf(fn)) env[tableEnv(t)] = resolve.table(t);
  for (const q of fn.sends ?? []) env[queueEnv(q)] = resolve.queueUrl(q);
  if (fn.trigger.kind === 'queue') env[queueEnv(fn.trigger.queue)] = resolve.queueUrl(fn.trigger.queue);
  for (const s of fn.secrets ?? []) env[secretEnv(s)] = resolve.secretArn(s);
  const operated = fn.operatesQueues === 'all' ? (Object.keys(queues) as QueueName[]) : (fn.operatesQueues ?? []);
  for (const q of operated) {
    env[queueEnv(q)] = resolve.queueUrl(q);
    if (resolve.dlqUrl) env[dlqEnv(q)] = resolve.dlqUrl(q);
    if (resolve.queueArn) env[queueArnEnv(q)] = resolve.queueArn(q);
    if (resolve.dlqArn) env[dlqArnEnv(q)] = resolve.dlqArn(q);
  }
  // The tables of the attention indexes it counts: their names only (it may query those indexes, nothing else).
  if (fn.countsAttention) for (const a of attentionIndexes()) env[tableEnv(a.table)] = resolve.table(a.table);
  if (operated.length || fn.countsAttention) env.HUB_OPERATIONS = JSON.stringify(operationsOf(operated, fn.countsAttention));
  return env;
}

/** Visibility timeout for a queue: 6x its consumer's timeout (AWS guidance for SQS event sources). */
export function visibilityTimeoutSeconds(queue: QueueName): number {
  const consumer: FunctionDecl = functions[consumers[queue].consumer];
  return 6 * (consumer.timeoutSeconds ?? 30);
}

/** The function whose trigger is every subscription's queue. */
export function subscriptionConsumer(): FunctionDecl & { readonly name: FunctionName } {
  const found = functionList().filter((f) => f.trigger.kind === 'subscriptions');
  if (found.length !== 1 || !found[0]) throw new Error(`Topology: expected one function triggered by subscriptions, found ${found.length}`);
  return found[0];
}

export type { RetentionClassName };

/** The tables of each retention class (from each table's `retention`). */
export const retentionClasses: Readonly<Record<RetentionClassName, readonly TableName[]>> = {};
for (const [n, t] of Object.entries(tables) as [TableName, TableDecl][]) {
  if (t.retention === undefined) continue;
  if (!/^[A-Z][A-Z0-9_]*$/.test(t.retention)) throw new Error(`Table ${n}: retention class ${t.retention} must be upper case (RETENTION_<CLASS>_DAYS)`);
  (retentionClasses as Record<string, TableName[]>)[t.retention] = [...(retentionClasses[t.retention] ?? []), n];
}
