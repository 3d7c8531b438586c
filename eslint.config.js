// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'cdk.out/**', '.data/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['aws-cdk-lib', 'aws-cdk-lib/*'], message: 'Runtime code never imports the CDK.' }] },
      ],
    },
  },
  {
    files: ['infra/**', 'test/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['functions/domain/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@aws-sdk/*', 'node:http', 'node:https', 'aws-cdk-lib'], message: 'domain/ is pure: no I/O.' }] },
      ],
    },
  },
);
