import type { CustomerLink } from '#platform/identity.ts';
import { backfillLinks as goodays } from '#goodays/domain/customer.ts';
import { backfillLinks as netcore } from '#netcore/domain/customer.ts';
import { backfillLinks as rungopher } from '#rungopher/domain/customer.ts';

/**
 * What each vendor contributes to the customer index, for the backfill: per table, the links an
 * item carries (the same functions the vendor's store paths call). The registry of the customer
 * functions: a vendor adds one import and one entry.
 */
export const sources: readonly Readonly<Record<string, (item: Record<string, unknown>) => CustomerLink[]>>[] = [
  rungopher,
  goodays,
  netcore,
];
