/**
 * fast-check's seed for every property in the suite. Locally each run draws a new seed, so `npm test`
 * keeps exploring; a failure prints its seed and path, and `FC_SEED=<seed> npm test` runs it again.
 * In CI (CI=true) the seed is fixed unless FC_SEED says otherwise, so a gate's verdict is the same on
 * every run of the same commit: new counterexamples are found by the local runs, not by the merge gate.
 */
import fc from 'fast-check';

const CI_SEED = 20_261_201;

const given = process.env.FC_SEED;
const seed = given !== undefined && given !== '' ? Number(given) : process.env.CI === 'true' ? CI_SEED : undefined;
if (seed !== undefined) {
  if (!Number.isInteger(seed)) throw new Error(`FC_SEED must be an integer, got ${given}`);
  fc.configureGlobal({ ...fc.readConfigureGlobal(), seed });
}
