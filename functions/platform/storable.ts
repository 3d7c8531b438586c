import { KEY_LIMITS } from './validation.ts';
/**
 * DynamoDB's rules for what an item may hold, checked on the item as it will be written (the document
 * client's marshalling with `removeUndefinedValues`, as `aws.ts` sets it), so a body is refused before it is
 * acknowledged rather than failing five times in a queue. Pure: no SDK, no I/O.
 *
 * Sizes follow "DynamoDB item sizes and formats": an item is the sum of its attribute names and values;
 * strings and map keys count their UTF-8 bytes, numbers 1 byte per two significant digits plus 1, binary its
 * raw bytes, null and booleans 1, a list or map 3 bytes plus 1 per element. Limits: 400 KB an item,
 * 32 levels of nesting counting the top-level attribute as level 1 (31 nested lists or maps in one
 * attribute), attribute names 1 byte to 64 KB, key values non-empty and at most 2048 (partition) or
 * 1024 (sort) bytes. Numbers: the marshaller refuses any beyond ±Number.MAX_SAFE_INTEGER and any that are not
 * finite; DynamoDB refuses non-zero magnitudes under 1E-130.
 */

/** Largest item DynamoDB stores: 400 KB. */
export const MAX_ITEM_BYTES = 400 * 1024;
/** Lists and maps one top-level attribute may nest (32 levels, the attribute itself being the first). */
export const MAX_NESTED_CONTAINERS = 31;
export const MAX_ATTRIBUTE_NAME_BYTES = 64 * 1024;
export const MAX_PARTITION_KEY_BYTES = KEY_LIMITS.partition;
export const MAX_SORT_KEY_BYTES = KEY_LIMITS.sort;
const MIN_MAGNITUDE = 1e-130;

/** Key attributes of a table and its indexes, checked by DynamoDB's key rules when present. */
export interface ItemKeys {
  readonly partition?: readonly string[];
  readonly sort?: readonly string[];
}

class UnstorableError extends Error {}

const utf8Bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

/** Bytes of a number by DynamoDB's measure (its significant digits), or why it cannot be stored. */
function numberSize(n: number, where: string): number {
  // Reasons are logged: they name where and why, never the value (a long number may be a card number).
  if (!Number.isFinite(n)) throw new UnstorableError(`${where}: the number is not finite`);
  if (Math.abs(n) > Number.MAX_SAFE_INTEGER) throw new UnstorableError(`${where}: the number is beyond ±(2^53 - 1)`);
  if (n !== 0 && Math.abs(n) < MIN_MAGNITUDE) throw new UnstorableError(`${where}: the number is smaller than DynamoDB's 1E-130`);
  const digits = Math.abs(n).toExponential().split('e')[0]?.replace('.', '').replace(/0+$/, '') || '0';
  return Math.ceil(digits.length / 2) + 1;
}

const isPlainObject = (v: object): boolean => {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
};

function checkName(name: string, where: string): number {
  const bytes = utf8Bytes(name);
  if (bytes === 0) throw new UnstorableError(`${where}: an attribute name is empty`);
  if (bytes > MAX_ATTRIBUTE_NAME_BYTES) throw new UnstorableError(`${where}: an attribute name is ${bytes} bytes, over ${MAX_ATTRIBUTE_NAME_BYTES}`);
  return bytes;
}

/** Size of one value (without its name); `containers` is how many lists or maps enclose it. */
function valueSize(value: unknown, containers: number, where: string): number {
  if (value === null || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return utf8Bytes(value);
  if (typeof value === 'number') return numberSize(value, where);
  if (typeof value === 'bigint') return Math.ceil(String(value).replace('-', '').replace(/0+$/, '').length / 2) + 1;
  if (value instanceof Uint8Array) return value.byteLength;
  if (typeof value !== 'object') throw new UnstorableError(`${where}: a ${typeof value} cannot be stored`);
  if (containers + 1 > MAX_NESTED_CONTAINERS) throw new UnstorableError(`${where}: nested deeper than DynamoDB's 32 levels`);
  if (Array.isArray(value)) {
    let size = 3;
    value.forEach((v, i) => {
      // The document client drops undefined entries of a list with removeUndefinedValues.
      if (v !== undefined) size += 1 + valueSize(v, containers + 1, i < 3 ? `${where}[${i}]` : where);
    });
    return size;
  }
  if (value instanceof Set) {
    if (value.size === 0) throw new UnstorableError(`${where}: an empty set cannot be stored`);
    let size = 3;
    for (const v of value) size += 1 + valueSize(v, containers + 1, where);
    return size;
  }
  if (!isPlainObject(value)) throw new UnstorableError(`${where}: a ${value.constructor?.name ?? 'class'} instance cannot be stored`);
  let size = 3;
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    const inner = `${where}.${k.length > 40 ? `${k.slice(0, 40)}…` : k}`;
    size += 1 + checkName(k, inner) + valueSize(v, containers + 1, inner);
  }
  return size;
}

/** Bytes of an item by DynamoDB's rules; throws, with where and why, when it cannot be stored at all. */
function measure(item: Readonly<Record<string, unknown>>): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) {
    if (value === undefined) continue;
    size += checkName(name, name) + valueSize(value, 0, name);
  }
  return size;
}

/** The size of an item as DynamoDB counts it (attribute names and values), for a storable item. */
export function itemSize(item: Readonly<Record<string, unknown>>): number {
  return measure(item);
}

/**
 * Size of one attribute (name and value) as DynamoDB counts it, however large, or undefined when
 * DynamoDB could not hold it at any size (nesting, names, numbers).
 */
export function attributeSize(name: string, value: unknown): number | undefined {
  return storableReason({ [name]: value }, {}, Infinity) === undefined ? measure({ [name]: value }) : undefined;
}

/**
 * Why DynamoDB (or the document client before it) would refuse to write `item`, or undefined when it
 * can be written: too large, nested too deep, a name empty or too long, a number out of range, a key
 * attribute empty, too long or not a string, number or binary.
 */
export function storableReason(item: Readonly<Record<string, unknown>>, keys: ItemKeys = {}, maxBytes = MAX_ITEM_BYTES): string | undefined {
  try {
    for (const [kind, names, max] of [
      ['partition', keys.partition ?? [], MAX_PARTITION_KEY_BYTES],
      ['sort', keys.sort ?? [], MAX_SORT_KEY_BYTES],
    ] as const) {
      for (const name of names) {
        const v = item[name];
        if (v === undefined) continue;
        if (typeof v === 'string') {
          const bytes = utf8Bytes(v);
          if (bytes === 0) return `${kind} key ${name} is empty`;
          if (bytes > max) return `${kind} key ${name} is ${bytes} bytes, over DynamoDB's ${max}`;
        } else if (typeof v !== 'number' && !(v instanceof Uint8Array)) return `${kind} key ${name} is not a string, number or binary`;
      }
    }
    const size = measure(item);
    if (size > maxBytes) return `the item would be ${size} bytes, over the ${maxBytes}-byte limit`;
    return undefined;
  } catch (err) {
    if (err instanceof UnstorableError) return err.message;
    throw err;
  }
}

/**
 * A copy of a JSON-like value that DynamoDB can store within `maxContainers` nested lists or maps:
 * a number it cannot hold becomes its decimal text, and a list or map that would nest too deep or has a
 * key DynamoDB refuses becomes its JSON text. Nothing is dropped; what changes is only its type. For
 * derived copies (views) of free-form vendor data whose exact text is kept elsewhere.
 */
export function storableCopy(value: unknown, maxContainers = MAX_NESTED_CONTAINERS): unknown {
  if (typeof value === 'number') {
    try {
      numberSize(value, '');
      return value;
    } catch {
      return String(value);
    }
  }
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return value;
  // JSON.stringify recurses: a value nested thousands deep would overflow the stack, so it is named instead.
  const asText = () => (nestingDepth(value, MAX_TEXT_NESTING) > MAX_TEXT_NESTING ? `[nested deeper than ${MAX_TEXT_NESTING} levels]` : (JSON.stringify(value) ?? 'null'));
  if (maxContainers < 1) return asText();
  if (Array.isArray(value)) return value.filter((v) => v !== undefined).map((v) => storableCopy(v, maxContainers - 1));
  if (!isPlainObject(value)) return asText();
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  if (entries.some(([k]) => k === '' || utf8Bytes(k) > MAX_ATTRIBUTE_NAME_BYTES)) return asText();
  return Object.fromEntries(entries.map(([k, v]) => [k, storableCopy(v, maxContainers - 1)]));
}

/** Nesting kept as text by {@link storableCopy}; deeper values are named, not serialised. */
const MAX_TEXT_NESTING = 64;

/**
 * Levels of lists and maps (arrays and objects) in a value, counted up to `stopAt + 1` at most, so a
 * value nested 10,000 deep is measured without deep recursion. A scalar is 0; `{}` and `{"a":1}` are 1.
 */
export function nestingDepth(value: unknown, stopAt = MAX_NESTED_CONTAINERS + 1): number {
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return 0;
  if (stopAt <= 0) return 1;
  let deepest = 0;
  for (const v of Array.isArray(value) ? value : Object.values(value as object)) {
    deepest = Math.max(deepest, nestingDepth(v, stopAt - 1));
    if (deepest >= stopAt) break;
  }
  return 1 + deepest;
}

/**
 * Why a parsed JSON body is nested too deep for the hub to keep as a document (DynamoDB's 32 levels,
 * the body counted as the top-level attribute), or undefined. Such a body cannot be a stored item,
 * and serialising it again (JSON.stringify recurses) could overflow the stack.
 */
export function nestingReason(value: unknown, maxLevels = MAX_NESTED_CONTAINERS + 1): string | undefined {
  const depth = nestingDepth(value, maxLevels);
  return depth > maxLevels ? `nested deeper than DynamoDB's ${maxLevels} levels` : undefined;
}
