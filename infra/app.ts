import { buildApp } from './build-app.ts';
import { retentionClasses, type RetentionClassName } from '#infra/topology/index.ts';

/**
 * CDK entry (`cdk synth`, `cdk deploy`). Context (`-c key=value`): `alarmEmail`, `throttleRateLimit`,
 * `throttleBurstLimit`, `eventArchiveDays`, `subscriptions` (a JSON list of `{id, url, events}`, or the
 * list itself in cdk.json), `customerManagedKey=true`, `sourceMapTraces=true`,
 * `retentionDays=RAW_BODIES=90,QUARANTINE=30`.
 * cdk-nag's AwsSolutions pack runs on every synth.
 */
const probe = buildContextReader();
const { app } = buildApp(
  {},
  {
    ...(probe.str('alarmEmail') ? { alarmEmail: probe.str('alarmEmail') } : {}),
    ...(probe.num('throttleRateLimit') ? { throttleRateLimit: probe.num('throttleRateLimit') } : {}),
    ...(probe.num('throttleBurstLimit') ? { throttleBurstLimit: probe.num('throttleBurstLimit') } : {}),
    ...(probe.count('eventArchiveDays') !== undefined ? { eventArchiveDays: probe.count('eventArchiveDays') } : {}),
    ...(probe.list('subscriptions') ? { subscriptions: probe.list('subscriptions') as never } : {}),
    ...(probe.str('customerManagedKey') === 'true' ? { customerManagedKey: true } : {}),
    ...(probe.str('sourceMapTraces') === 'true' ? { sourceMapTraces: true } : {}),
    ...(probe.str('retentionDays') ? { retentionDays: retentionContext(probe.str('retentionDays') ?? '') } : {}),
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  },
);
app.synth();

/** Reads `-c` context passed by the CDK CLI (CDK_CONTEXT_JSON), validated. */
function buildContextReader() {
  const raw: unknown = JSON.parse(process.env.CDK_CONTEXT_JSON ?? '{}');
  const ctx = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  const str = (key: string): string | undefined => {
    const v = ctx[key];
    return typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined;
  };
  const num = (key: string): number | undefined => {
    const v = str(key);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`Context ${key} must be a positive number, got ${v}`);
    return n;
  };
  const count = (key: string): number | undefined => {
    const v = str(key);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`Context ${key} must be a whole number of days (0 = forever), got ${v}`);
    return n;
  };
  // Checked by the stack with the one subscription schema.
  const list = (key: string): unknown[] | undefined => {
    const v = ctx[key];
    if (v === undefined || v === '') return undefined;
    const parsed: unknown = typeof v === 'string' ? JSON.parse(v) : v;
    if (!Array.isArray(parsed)) throw new Error(`Context ${key} must be a JSON list`);
    return parsed;
  };
  return { str, num, count, list };
}

/** `-c retentionDays=RAW_BODIES=90,QUARANTINE=30`: days per retention class. */
function retentionContext(text: string): Partial<Record<RetentionClassName, number>> {
  const out: Partial<Record<RetentionClassName, number>> = {};
  for (const part of text.split(',')) {
    const [name, days] = part.split('=').map((x) => x.trim());
    if (!name || !Object.hasOwn(retentionClasses, name) || !days || !/^\d+$/.test(days)) {
      throw new Error(`Context retentionDays: "${part}" is not CLASS=DAYS with CLASS one of ${Object.keys(retentionClasses).join(', ')}`);
    }
    out[name as RetentionClassName] = Number(days);
  }
  return out;
}
