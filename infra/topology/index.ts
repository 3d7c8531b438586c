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
import type { FunctionDecl, RetentionClassName, TableDecl, TopologyModule } from './types.ts';

export type { AlarmDecl, FunctionDecl, HttpRoute, QueueDecl, SecretDecl, TableDecl, TopologyModule, Trigger } from './types.ts';

/** Every vendor the hub integrates, one line each. */
export const vendors = [rungopher, goodays, netcore] as const;

/** A vendor's id (`rungopher`, ...). */
export type VendorName = (typeof vendors)[number]['name'];

type Modules = typeof platform | typeof customers | (typeof vendors)[number];
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
type Merged<K extends 'tables' | 'queues' | 'secrets' | 'functions'> = UnionToIntersection<Modules[K]>;

/** One kind of declaration of the platform and every vendor, in one record; a name declared twice is an error. */
function merge<K extends 'tables' | 'queues' | 'secrets' | 'functions'>(kind: K, modules: readonly TopologyModule[]): Merged<K> {
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

/** Each queue's consumer, typed: a queue naming a function nobody declared fails `tsc` here. */
const consumers: Readonly<Record<QueueName, { readonly consumer: FunctionName }>> = queues;

/** Environment variable naming a table, e.g. `TABLE_RUNGOPHER_RESULTS`. */
export const tableEnv = (name: TableName): string => `TABLE_${envKey(name)}`;
/** Environment variable naming a queue URL, e.g. `QUEUE_RUNGOPHER_RESULTS_URL`. */
export const queueEnv = (name: QueueName): string => `QUEUE_${envKey(name)}_URL`;
/** Environment variable naming a secret's ARN, e.g. `SECRET_RUNGOPHER_ARN`. */
export const secretEnv = (name: SecretName): string => `SECRET_${envKey(name)}_ARN`;

function envKey(name: string): string {
  return name.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

/** Every function declaration with its name, as a list. */
export function functionList(): (FunctionDecl & { readonly name: FunctionName })[] {
  return Object.entries(functions).map(([name, decl]) => ({ ...(decl as FunctionDecl), name: name as FunctionName }));
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
  resolve: { table: (n: TableName) => string; queueUrl: (n: QueueName) => string; secretArn: (n: SecretName) => string },
): Record<string, string> {
  const env: Record<string, string> = { ...fn.environment };
  for (const t of tablesOf(fn)) env[tableEnv(t)] = resolve.table(t);
  for (const q of fn.sends ?? []) env[queueEnv(q)] = resolve.queueUrl(q);
  if (fn.trigger.kind === 'queue') env[queueEnv(fn.trigger.queue)] = resolve.queueUrl(fn.trigger.queue);
  for (const s of fn.secrets ?? []) env[secretEnv(s)] = resolve.secretArn(s);
  return env;
}

/** Visibility timeout for a queue: 6x its consumer's timeout (AWS guidance for SQS event sources). */
export function visibilityTimeoutSeconds(queue: QueueName): number {
  const consumer: FunctionDecl = functions[consumers[queue].consumer];
  return 6 * (consumer.timeoutSeconds ?? 30);
}

export type { RetentionClassName };

/** The tables of each retention class (from each table's `retention`). */
export const retentionClasses: Readonly<Record<RetentionClassName, readonly TableName[]>> = {};
for (const [n, t] of Object.entries(tables) as [TableName, TableDecl][]) {
  if (t.retention === undefined) continue;
  if (!/^[A-Z][A-Z0-9_]*$/.test(t.retention)) throw new Error(`Table ${n}: retention class ${t.retention} must be upper case (RETENTION_<CLASS>_DAYS)`);
  (retentionClasses as Record<string, TableName[]>)[t.retention] = [...(retentionClasses[t.retention] ?? []), n];
}
