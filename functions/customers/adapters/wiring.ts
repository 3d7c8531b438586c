import * as z from 'zod';
import { functionConfig, secretValue, setting, tableName } from '#platform/config.ts';
import { dynamoCustomerIndex, eraseRef, readRef, refExists } from '#platform/customer-index.ts';
import { DEFAULT_PHONE_COUNTRY } from '#platform/identity.ts';
import type { CountryCode } from 'libphonenumber-js/min';
import { sources } from '#customers/sources.ts';
import type { BackfillDeps, EraseDeps, Sweeps } from '#customers/use-cases/customers.ts';
import { deleteKey, dynamoErasureAudit, rewriteCursor, scanAll, scanPage } from './store.ts';

/**
 * Configuration and ports of `customers-api`: the index, the audit, the quarantine and cursors it
 * sweeps, and every vendor table the backfill reads (from the registry in `sources.ts`). Variables:
 * `TABLE_*` of each, `CUSTOMER_DEFAULT_COUNTRY` (default AU), `CUSTOMER_HASH_KEY` (secret `customers`).
 */
export const customersConfig = functionConfig({
  index: setting.table('customer-index'),
  erasures: setting.table('customer-erasures'),
  quarantine: setting.table('quarantine'),
  cursors: setting.table('cursors'),
  country: setting.optional<CountryCode>('CUSTOMER_DEFAULT_COUNTRY', z.string().regex(/^[A-Z]{2}$/).transform((c) => c as CountryCode), DEFAULT_PHONE_COUNTRY),
});

export const customerIndex = () => dynamoCustomerIndex(customersConfig().index);

/** Stops `reserveMs` before the Lambda's end, and after at most `capMs` (so an answer comes back well before the gateway's 30 s). */
export function deadline(context: { getRemainingTimeInMillis(): number }, capMs = 20_000, reserveMs = 5_000): () => boolean {
  const until = Date.now() + Math.max(0, Math.min(capMs, context.getRemainingTimeInMillis() - reserveMs));
  return () => Date.now() < until;
}

function stripLists(value: unknown, drop: ReadonlySet<string>): { value: unknown; changed: boolean } {
  if (Array.isArray(value)) {
    let changed = false;
    const out: unknown[] = [];
    for (const v of value) {
      if (typeof v === 'string' && drop.has(v)) {
        changed = true;
        continue;
      }
      const inner = stripLists(v, drop);
      changed ||= inner.changed;
      out.push(inner.value);
    }
    return { value: out, changed };
  }
  if (value && typeof value === 'object') {
    let changed = false;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const inner = stripLists(v, drop);
      changed ||= inner.changed;
      out[k] = inner.value;
    }
    return { value: out, changed };
  }
  return { value, changed: false };
}

/** The quarantine and cursor sweeps over DynamoDB. */
export function dynamoSweeps(): Sweeps {
  const c = customersConfig();
  return {
    async quarantine(matches) {
      let n = 0;
      for await (const item of scanAll(c.quarantine)) {
        const raw = String(item.body ?? '');
        const body = item.bodyEncoding === 'base64' ? Buffer.from(raw, 'base64').toString('utf8') : raw;
        if (matches(body) && (await deleteKey(c.quarantine, { id: item.id }))) n++;
      }
      return n;
    },
    async cursors(values) {
      if (values.size === 0) return 0;
      let n = 0;
      for await (const item of scanAll(c.cursors)) {
        // A cursor's value is JSON text (the Rungopher poller keeps ids stored inside its look-back).
        const text = typeof item.value === 'string' ? item.value : undefined;
        let parsed: unknown;
        try {
          parsed = text === undefined ? undefined : JSON.parse(text);
        } catch {
          continue;
        }
        const stripped = stripLists(parsed, values);
        if (stripped.changed && (await rewriteCursor(c.cursors, item, JSON.stringify(stripped.value)))) n++;
      }
      return n;
    },
  };
}

export async function eraseDeps(hasTime: () => boolean): Promise<EraseDeps> {
  return {
    index: customerIndex(),
    erase: eraseRef,
    audit: dynamoErasureAudit(customersConfig().erasures),
    sweeps: dynamoSweeps(),
    hashKey: await secretValue('customers', 'CUSTOMER_HASH_KEY'),
    now: () => new Date(),
    hasTime,
  };
}

export function backfillDeps(hasTime: () => boolean): BackfillDeps {
  const tables = sources.flatMap((s) => Object.entries(s).map(([table, links]) => ({ table, physical: tableName(table), links })));
  return { index: customerIndex(), tables, scan: scanPage, hasTime };
}

export { readRef, refExists };
