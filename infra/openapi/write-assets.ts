import { resolve } from 'node:path';
import { writeStaticAssets } from './assets.ts';

// `tsx infra/openapi/write-assets.ts <dir>`: the stack's bundling hook for functions with `staticAssets`.
const dir = process.argv[2];
if (!dir) throw new Error('usage: write-assets.ts <folder>');
await writeStaticAssets(resolve(dir), resolve(import.meta.dirname, '..', '..'));
