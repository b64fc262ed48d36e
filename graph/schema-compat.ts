/**
 * Build-time check that one stage's output fits the next stage's input, on the JSON
 * Schema of both zod schemas (zod 4 `toJSONSchema`): every field the consumer
 * requires must be produced, with a compatible type.
 */
import { z } from 'zod';

type Json = { type?: string | string[]; properties?: Record<string, Json>; required?: string[]; anyOf?: Json[] };

const cache = new WeakMap<z.ZodType, Json | null>();

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json | null {
  const hit = cache.get(schema);
  if (hit !== undefined) return hit;
  let out: Json | null;
  try {
    out = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Json;
  } catch {
    out = null; // not representable: nothing to check against
  }
  cache.set(schema, out);
  return out;
}

function types(s: Json | undefined): Set<string> | null {
  if (!s) return null;
  if (s.anyOf) {
    const all = s.anyOf.map(types);
    if (all.some((t) => t === null)) return null;
    return new Set(all.flatMap((t) => [...t!]));
  }
  if (s.type === undefined) return null;
  const list = Array.isArray(s.type) ? s.type : [s.type];
  // JSON Schema: every integer is a number.
  return new Set(list.flatMap((t) => (t === 'integer' ? ['integer', 'number'] : [t])));
}

/** Why `produced` does not fit `consumed`, or `undefined` when it does. */
export function schemaMismatch(produced: z.ZodType[], consumed: z.ZodType): string | undefined {
  const need = jsonSchema(consumed, 'input');
  if (!need) return undefined;
  const outs = produced.map((p) => jsonSchema(p, 'output'));
  if (outs.some((o) => o === null)) return undefined;
  const needTypes = types(need);
  if (!needTypes?.has('object') || !need.properties) {
    if (outs.length !== 1) return undefined;
    const got = types(outs[0]!);
    if (needTypes && got && ![...got].every((t) => needTypes.has(t))) {
      return `output is ${[...got].join(' | ')} but input expects ${[...needTypes].join(' | ')}`;
    }
    return undefined;
  }
  const props: Record<string, Json> = Object.assign({}, ...outs.map((o) => o!.properties ?? {}));
  for (const field of need.required ?? []) {
    if (!(field in props)) return `input field '${field}' is required but not produced`;
  }
  for (const [field, spec] of Object.entries(need.properties)) {
    if (!(field in props)) continue;
    const want = types(spec);
    const got = types(props[field]);
    if (want && got && ![...got].every((t) => want.has(t))) {
      return `field '${field}' is ${[...got].join(' | ')} in the output but ${[...want].join(' | ')} in the input`;
    }
  }
  return undefined;
}
