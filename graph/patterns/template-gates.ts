/**
 * Quality-gate rules as template data: a field of the output (dot path), a check and
 * its argument, turned into a handoff `GateRule`. Code-defined gates use functions; a
 * template names one of these checks.
 */
import { z } from 'zod';
import type { GateRule } from './handoff.ts';

/** The checks a template's gate rule may name. */
export const GATE_CHECKS = ['present', 'nonEmpty', 'minLength', 'maxLength', 'min', 'max', 'equals', 'notContains', 'matches'] as const;
export type GateCheck = (typeof GATE_CHECKS)[number];

export const GateRuleBlock = z.object({
  id: z.string().min(1),
  field: z.string().min(1).describe('Dot path into the output, e.g. `summary` or `meta.score`.'),
  check: z.enum(GATE_CHECKS),
  value: z.union([z.string(), z.number(), z.boolean()]).optional().describe('The argument of `minLength`, `maxLength`, `min`, `max`, `equals`, `notContains`, `matches` (a regular expression).'),
  message: z.string().optional().describe('What is wrong when the check fails. @default a sentence naming the field and the check'),
}).strict().superRefine((r, ctx) => {
  const needs = r.check !== 'present' && r.check !== 'nonEmpty';
  if (needs && r.value === undefined) ctx.addIssue({ code: 'custom', path: ['value'], message: `check '${r.check}' needs a value` });
  if ((r.check === 'minLength' || r.check === 'maxLength' || r.check === 'min' || r.check === 'max') && r.value !== undefined && typeof r.value !== 'number') {
    ctx.addIssue({ code: 'custom', path: ['value'], message: `check '${r.check}' needs a number` });
  }
  if (r.check === 'matches' && typeof r.value === 'string') {
    try {
      new RegExp(r.value);
    } catch {
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'not a valid regular expression' });
    }
  }
});
export type GateRuleData = z.output<typeof GateRuleBlock>;

/** The value at a dot path of `value`, or undefined. */
export function read(value: unknown, path: string): unknown {
  let at: unknown = value;
  for (const key of path.split('.')) {
    if (typeof at !== 'object' || at === null) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

const length = (v: unknown) => (typeof v === 'string' || Array.isArray(v) ? v.length : undefined);

function passes(r: GateRuleData, v: unknown): boolean {
  switch (r.check) {
    case 'present': return v !== undefined && v !== null;
    case 'nonEmpty': return (length(v) ?? (v === undefined || v === null ? 0 : 1)) > 0;
    case 'minLength': return (length(v) ?? -Infinity) >= Number(r.value);
    case 'maxLength': return (length(v) ?? Infinity) <= Number(r.value);
    case 'min': return typeof v === 'number' && v >= Number(r.value);
    case 'max': return typeof v === 'number' && v <= Number(r.value);
    case 'equals': return v === r.value;
    case 'notContains': return !(typeof v === 'string' && v.includes(String(r.value))) && !(Array.isArray(v) && v.includes(r.value));
    case 'matches': return typeof v === 'string' && new RegExp(String(r.value)).test(v);
  }
}

/** A template's gate rule as a handoff `GateRule`. */
export function gateRule(r: GateRuleData): GateRule {
  const arg = r.value === undefined ? '' : ` ${JSON.stringify(r.value)}`;
  return { id: r.id, check: (o) => passes(r, read(o, r.field)), message: r.message ?? `'${r.field}' fails ${r.check}${arg}` };
}
