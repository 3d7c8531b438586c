import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';

/** Integration suites: real local AWS, vendor sandboxes or child processes. */
const INTEGRATION = 'test/**/*.int.test.ts';

export default defineConfig({
  // This file lives in .config/; tests and aliases resolve from the project root.
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration suites start their own emulators on random ports; two cores, so keep it modest.
    maxWorkers: 2,
    // Logs and EMF metrics off in tests: they assert on behaviour, and the output stays readable.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' },
    // fast-check's seed: fixed in CI, new on every local run, FC_SEED to replay one.
    setupFiles: ['test/helpers/fast-check-setup.ts'],
    // Every project inherits the settings above (extends: true is vitest's default, said here).
    // `npm test` runs them all; `npm run test:<name>` (vitest --project <name>) runs one.
    projects: [
      {
        extends: true,
        // The fast loop: pure code and in-process fakes, no emulators (test/platform and every vendor's folder).
        test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, INTEGRATION, 'test/infra/**', 'test/bundle/**'] },
      },
      {
        extends: true,
        // CDK synth and the local runtime's parts.
        test: { name: 'infra', include: ['test/infra/**/*.test.ts'], exclude: [...configDefaults.exclude, INTEGRATION] },
      },
      {
        extends: true,
        // esbuild bundles and their cold starts.
        test: { name: 'bundle', include: ['test/bundle/**/*.test.ts'], exclude: [...configDefaults.exclude, INTEGRATION] },
      },
      {
        extends: true,
        // With SWITCHBOARD_LOG_SCAN=1 (npm run test:log-scan) every printed line is scanned for personal data.
        test: { name: 'integration', include: [INTEGRATION], setupFiles: ['test/helpers/fast-check-setup.ts', 'test/helpers/log-scan-setup.ts'] },
      },
    ],
  },
});
