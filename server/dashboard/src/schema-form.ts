/**
 * A form generated from a JSON Schema (a stage's input, from `GET /api/plugins`):
 * primitive and enum properties become inputs, object properties one level deep
 * become fieldsets, string arrays take comma-separated text. Empty fields are left
 * out of the value. Anything else (records, deeper nesting) is not shown; the schema
 * validation on the server has the last word.
 */
import { h } from './dom.ts';

type Schema = {
  type?: string | string[];
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  description?: string;
  additionalProperties?: unknown;
};

type Reader = () => [string, unknown] | undefined;

function kindOf(s: Schema): 'number' | 'string' | 'boolean' | 'enum' | 'strings' | 'object' | undefined {
  if (s.enum?.every((v) => typeof v === 'string')) return 'enum';
  const types = s.anyOf ?? s.oneOf;
  if (types) return types.every((t) => t.type === 'string' || t.type === 'number' || t.type === 'integer') ? 'string' : undefined;
  const t = Array.isArray(s.type) ? s.type.find((x) => x !== 'null') : s.type;
  if (t === 'number' || t === 'integer') return 'number';
  if (t === 'string') return 'string';
  if (t === 'boolean') return 'boolean';
  if (t === 'array' && s.items && kindOf(s.items) === 'string') return 'strings';
  if (t === 'object' && s.properties) return 'object';
  return undefined;
}

function field(name: string, s: Schema, idPrefix: string, required: boolean, depth: number): { el: HTMLElement; read: Reader } | undefined {
  const id = `${idPrefix}-${name}`;
  const kind = kindOf(s);
  const label = h('label', { for: id }, name);
  switch (kind) {
    case 'number': {
      const input = h('input', { id, name, type: 'number', step: 'any', required });
      return { el: h('div', { class: 'field' }, label, input), read: () => (input.value === '' ? undefined : [name, Number(input.value)]) };
    }
    case 'string': {
      const input = h('input', { id, name, type: 'text', required });
      return { el: h('div', { class: 'field' }, label, input), read: () => (input.value.trim() === '' ? undefined : [name, input.value.trim()]) };
    }
    case 'strings': {
      const input = h('input', { id, name, type: 'text', placeholder: 'comma-separated' });
      return { el: h('div', { class: 'field' }, label, input), read: () => (input.value.trim() === '' ? undefined : [name, input.value.split(',').map((x) => x.trim()).filter(Boolean)]) };
    }
    case 'boolean': {
      const input = h('input', { id, name, type: 'checkbox' });
      return { el: h('div', { class: 'field check' }, input, label), read: () => (input.checked ? [name, true] : undefined) };
    }
    case 'enum': {
      const select = h('select', { id, name, required }, h('option', { value: '' }, '–'), (s.enum as string[]).map((v) => h('option', { value: v }, v)));
      return { el: h('div', { class: 'field' }, label, select), read: () => (select.value === '' ? undefined : [name, select.value]) };
    }
    case 'object': {
      if (depth > 0) return undefined;
      const inner = schemaFields(s, id, depth + 1);
      if (!inner.fields.length) return undefined;
      return {
        el: h('fieldset', { class: 'group' }, h('legend', {}, name), inner.fields),
        read: () => {
          const v = inner.read();
          return Object.keys(v).length ? [name, v] : undefined;
        },
      };
    }
    default:
      return undefined;
  }
}

function schemaFields(s: Schema, idPrefix: string, depth: number): { fields: HTMLElement[]; read: () => Record<string, unknown> } {
  const fields: HTMLElement[] = [];
  const readers: Reader[] = [];
  for (const [name, prop] of Object.entries(s.properties ?? {})) {
    const f = field(name, prop, idPrefix, s.required?.includes(name) ?? false, depth);
    if (!f) continue;
    fields.push(f.el);
    readers.push(f.read);
  }
  return {
    fields,
    read: () => Object.fromEntries(readers.map((r) => r()).filter((x): x is [string, unknown] => x !== undefined)),
  };
}

/** The form for `schema`, or undefined when it has no property a form can show. */
export function schemaForm(schema: unknown, idPrefix: string): { fields: HTMLElement[]; read: () => Record<string, unknown> } | undefined {
  const s = (schema ?? {}) as Schema;
  if (kindOf(s) !== 'object') return undefined;
  const f = schemaFields(s, idPrefix, 0);
  return f.fields.length ? f : undefined;
}
