// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// `import { z }` pulls zod's whole namespace (every locale) into a Lambda bundle: 443 KB instead of
// 95 KB with `import * as z`, which esbuild can tree-shake (measured by `npm run bench`).
const zodNamespace = {
  selector: "ImportDeclaration[source.value=/^(zod|zod.mini|#platform.zod[.]ts|[.][.]?.zod[.]ts)$/][importKind!='type'] > ImportSpecifier[imported.name='z'][importKind!='type']",
  message: "Use `import * as z from 'zod'` (or '#platform/zod.ts') so bundles stay small.",
};
// zod/mini sets no locale: runtime code takes it from #platform/zod.ts, which sets zod's English messages.
const noBareZodMini = { name: 'zod/mini', message: "Use `import * as z from '#platform/zod.ts'` (zod/mini with zod's English messages)." };
const noCdk = { group: ['aws-cdk-lib', 'aws-cdk-lib/*', 'constructs'], message: 'Runtime code never imports the CDK.' };
const noIo = { group: ['@aws-sdk/*', 'node:http', 'node:https', 'node:fs', 'node:fs/*'], message: 'domain/ is pure: no I/O.' };

export default tseslint.config(
  { ignores: ['node_modules/**', 'cdk.out/**', '.data/**', 'coverage/**', 'infra/cli/dist/**', 'functions/console/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { paths: [noBareZodMini], patterns: [noCdk] }],
      'no-restricted-syntax': ['error', zodNamespace],
    },
  },
  {
    files: ['infra/**', 'test/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['functions/*/domain/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [noBareZodMini], patterns: [noCdk, noIo] }] },
  },
  {
    files: ['functions/platform/zod.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [noCdk] }] },
  },
);
