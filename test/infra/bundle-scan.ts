import { build } from 'esbuild';

/**
 * What the topology's truth tests read from a function's code: the metric names it can emit and the
 * route keys it switches on, found in its esbuild bundle (so only code the entry really reaches
 * counts, as in the Lambda bundle) rather than by reading source files by hand.
 */

/** A function's entry bundled the way Lambda's is, minus node_modules (left as imports) and minification. */
export async function bundleText(root: string, entry: string): Promise<string> {
  const out = await build({
    entryPoints: [entry],
    absWorkingDir: root,
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    minify: false,
    treeShaking: true,
    // @aws-sdk, powertools, middy, zod and every other dependency: their strings are not the hub's.
    packages: 'external',
    logLevel: 'silent',
  });
  return out.outputFiles.map((f) => f.text).join('\n');
}

/** Metric names a bundle can emit: exact names, and prefixes of names built at run time. */
export interface FoundMetrics {
  readonly names: ReadonlySet<string>;
  /** From template literals such as `` `GoodaysAction_${state}` ``: the part before the first `${`. */
  readonly prefixes: ReadonlySet<string>;
}

/** Calls of the hub's metric helpers: `count(...)` (esbuild may rename it `count2`) and `metrics.addMetric(...)`. */
const METRIC_CALL = /(?<![\w$.])count\d*\(|\.addMetric\(/g;
/** A `metrics: { ... }` object literal, as pipeline-kit options name their metrics. */
const METRICS_OBJECT = /(?<![\w$])metrics\s*:\s*\{/g;
/** A SCREAMING_CASE identifier: the only ones resolved, so a parameter called `name` is never guessed at. */
const CONSTANT = /(?<![\w$.])[A-Z][A-Z0-9_]*(?![\w$])/g;

/**
 * Metric names in a bundle. Tolerant in what it reads (a first argument that is a string, a ternary of
 * strings, a template literal, a `const` string or a `const` object of strings indexed or dotted, or a
 * `metrics: {...}` option object); an argument it cannot resolve (a parameter) is skipped, because the
 * name it carries shows up where the caller wrote it.
 */
export function findMetrics(text: string): FoundMetrics {
  const names = new Set<string>();
  const prefixes = new Set<string>();
  const take = (expr: string) => {
    const lits = literals(expr);
    for (const s of lits.strings) names.add(s);
    for (const p of lits.prefixes) prefixes.add(p);
    for (const id of lits.code.match(CONSTANT) ?? []) for (const s of resolveConstant(text, id)) names.add(s);
  };
  for (const m of text.matchAll(METRIC_CALL)) take(firstArgument(text, m.index + m[0].length));
  for (const m of text.matchAll(METRICS_OBJECT)) {
    const start = m.index + m[0].length - 1;
    take(balanced(text, start));
  }
  return { names, prefixes };
}

/** API Gateway route keys (`'GET /path'`) written as string literals in a bundle. */
export function findRouteKeys(text: string): Set<string> {
  const out = new Set<string>();
  for (const m of text.matchAll(/(['"`])((?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) \/[^'"`\s]*)\1/g)) if (m[2]) out.add(m[2]);
  return out;
}

/** Text of the call argument starting at `i`, up to the first top-level `,` or the closing `)`. */
function firstArgument(text: string, i: number): string {
  let depth = 0;
  for (let j = i; j < text.length; j++) {
    const c = text[j];
    if (c === "'" || c === '"' || c === '`') {
      j = skipString(text, j);
      continue;
    }
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      if (depth === 0) return text.slice(i, j);
      depth--;
    } else if (c === ',' && depth === 0) return text.slice(i, j);
  }
  return text.slice(i);
}

/** The bracketed text from the opening bracket at `i` to its match, inclusive. */
function balanced(text: string, i: number): string {
  let depth = 0;
  for (let j = i; j < text.length; j++) {
    const c = text[j];
    if (c === "'" || c === '"' || c === '`') {
      j = skipString(text, j);
      continue;
    }
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      depth--;
      if (depth === 0) return text.slice(i, j + 1);
    }
  }
  return text.slice(i);
}

/** Index of the quote closing the string or template literal opened at `i` (`${...}` holes skipped). */
function skipString(text: string, i: number): number {
  const q = text[i];
  for (let j = i + 1; j < text.length; j++) {
    const c = text[j];
    if (c === '\\') j++;
    else if (c === q) return j;
    else if (q === '`' && c === '$' && text[j + 1] === '{') j = balanced(text, j + 1).length + j;
  }
  return text.length;
}

/** String literals, template-literal prefixes, and the code around them, of an expression. */
function literals(expr: string): { strings: string[]; prefixes: string[]; code: string } {
  const strings: string[] = [];
  const prefixes: string[] = [];
  let code = '';
  for (let j = 0; j < expr.length; j++) {
    const c = expr[j] ?? '';
    if (c !== "'" && c !== '"' && c !== '`') {
      code += c;
      continue;
    }
    const end = skipString(expr, j);
    const body = expr.slice(j + 1, end);
    const hole = c === '`' ? body.indexOf('${') : -1;
    // A quoted object key (`{ 'a': ... }`) names nothing; a ternary branch (`? 'a' : 'b'`) does.
    const isKey = /^\s*:/.test(expr.slice(end + 1)) && /[{,]\s*$/.test(expr.slice(0, j));
    // Nor does a compared value (`status === 'duplicate' ? ...`).
    const compared = /[=!]==?\s*$/.test(expr.slice(0, j)) || /^\s*[=!]==?/.test(expr.slice(end + 1));
    const named = !isKey && !compared;
    if (named && hole === -1) strings.push(body);
    else if (named && hole > 0) prefixes.push(body.slice(0, hole));
    code += ' ';
    j = end;
  }
  return { strings, prefixes, code };
}

/** The strings a `const ID = 'x'` or `const ID = { a: 'x', ... }` in the bundle stands for. */
function resolveConstant(text: string, id: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(new RegExp(`(?<![\\w$.])(?:const|let|var)\\s+${id}\\s*=\\s*`, 'g'))) {
    const at = m.index + m[0].length;
    const c = text[at];
    if (c === "'" || c === '"') out.push(text.slice(at + 1, skipString(text, at)));
    else if (c === '{') out.push(...literals(balanced(text, at)).strings);
  }
  return out;
}
