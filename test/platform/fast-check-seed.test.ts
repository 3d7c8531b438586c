import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

describe('fast-check seed (test/helpers/fast-check-setup.ts)', () => {
  it('is FC_SEED when given, fixed in CI, and new on every local run otherwise', () => {
    const { seed } = fc.readConfigureGlobal();
    if (process.env.FC_SEED) expect(seed).toBe(Number(process.env.FC_SEED));
    else if (process.env.CI === 'true') expect(seed).toBe(20_261_201);
    else expect(seed).toBeUndefined();
  });
});
