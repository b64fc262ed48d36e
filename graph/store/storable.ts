/**
 * Strings Postgres cannot store. `text` and `jsonb` refuse U+0000 (22021 / 22P05) and
 * `jsonb` refuses a lone UTF-16 surrogate (22P02; a `text` column would silently turn
 * it into U+FFFD). Such a value must be refused where it enters, with a message that
 * names the field, not discovered by the database half-way through starting a run.
 */
import { StagegraphError } from '../../nodes/errors.ts';

/** Why a string cannot be stored. */
export type UnstorableReason = 'lone_surrogate' | 'nul';

/** Where a value holds a string Postgres cannot store. */
export interface Unstorable {
  /**
   * Path from the root, e.g. `request.items[2].name`; never contains the offending
   * character. Past 256 characters (deep nesting) it is shortened in the middle.
   */
  field: string;
  reason: UnstorableReason;
  /** UTF-16 index of the offending code unit in the string. */
  index: number;
  /** The offending code unit, e.g. `U+DC8C`. */
  codeUnit: string;
  /** Whether an object key (rather than a string value) holds it. */
  inKey: boolean;
}

// A high surrogate not followed by a low one, a low one not preceded by a high one, or NUL.
const BAD = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|\u0000/;
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function badAt(s: string): { index: number; reason: UnstorableReason; codeUnit: string } | undefined {
  const m = BAD.exec(s);
  if (!m) return undefined;
  const unit = m[0].charCodeAt(0);
  return { index: m.index, reason: unit === 0 ? 'nul' : 'lone_surrogate', codeUnit: `U+${unit.toString(16).toUpperCase().padStart(4, '0')}` };
}

/** `a.b`, or `a["we ird"]` with the key JSON-escaped, so the path itself is always storable. */
function child(path: string, key: string): string {
  return IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function shorten(path: string): string {
  return path.length <= 256 ? path : `${path.slice(0, 100)}…${path.slice(-155)}`;
}

/**
 * The first string in `value` (depth first, object keys included) that Postgres cannot
 * store, or undefined. Walks arrays and the own enumerable properties of objects, as
 * `JSON.stringify` would (a `toJSON()` result is walked instead of its object); typed
 * arrays hold no strings and are skipped. Iterative, so deep nesting cannot overflow
 * the stack; each object is visited once.
 */
export function findUnstorable(value: unknown, root: string): Unstorable | undefined {
  const stack: [unknown, string][] = [[value, root]];
  const seen = new Set<object>();
  while (stack.length > 0) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      const bad = badAt(v);
      if (bad) return { field: shorten(path), inKey: false, ...bad };
      continue;
    }
    if (typeof v !== 'object' || v === null || seen.has(v) || ArrayBuffer.isView(v)) continue;
    seen.add(v);
    const toJSON = (v as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') {
      stack.push([toJSON.call(v), path]);
      continue;
    }
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${path}[${i}]`]);
      continue;
    }
    const keys = Object.keys(v);
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i]!;
      const bad = badAt(key);
      if (bad) return { field: shorten(child(path, key)), inKey: true, ...bad };
      stack.push([(v as Record<string, unknown>)[key], child(path, key)]);
    }
  }
  return undefined;
}

const DESCRIBED: Record<UnstorableReason, string> = {
  lone_surrogate: 'a lone UTF-16 surrogate',
  nul: 'a NUL character',
};

/**
 * Throws unless every string in `value` (object keys included) can be stored in
 * Postgres: no U+0000 and no lone UTF-16 surrogate.
 * @param what The name of the value, the root of the field path in the error (e.g. `request`).
 * @throws StagegraphError `invalid_input` (class `validation`), `details: { field, reason, index, codeUnit, inKey }`
 * @example
 * assertStorable({ text: 'tank \udc8c' }, 'request');
 * // StagegraphError invalid_input: request.text: a lone UTF-16 surrogate (U+DC8C) at index 5 ...
 */
export function assertStorable(value: unknown, what: string): void {
  const bad = findUnstorable(value, what);
  if (!bad) return;
  const where = bad.inKey ? `${bad.field} (the key)` : bad.field;
  throw new StagegraphError('invalid_input', `${where}: ${DESCRIBED[bad.reason]} (${bad.codeUnit}) at index ${bad.index}; it cannot be stored`, {
    class: 'validation',
    details: { ...bad },
    hint: 'send well-formed Unicode text without U+0000; encode binary data (e.g. base64)',
  });
}
