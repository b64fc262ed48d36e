/**
 * Why a template is refused: one `invalid_template` error (HTTP 422) whose
 * `details.path` names the exact place in the template (`steps[2].stage`,
 * `edges[4].loop`) and `details.reason` says what is wrong there.
 */
import { StagegraphError } from '../../nodes/errors.ts';

/** `details.reason` of an `invalid_template` error. Planner refusals keep their `workflow_*` code. */
export const TEMPLATE_REFUSALS = [
  'invalid_format',
  'workflow_exists',
  'unknown_stage',
  'unknown_decision_point',
  'unknown_pattern',
  'invalid_pattern_block',
  'duplicate_name',
  'reserved_name',
  'unknown_node',
  'not_a_decision_point',
  'invalid_parameter',
  'no_parameters',
  'workflow_schema_mismatch',
  'workflow_unbounded_loop',
  'workflow_invalid_route',
  'workflow_unreachable_node',
  'workflow_dead_end',
  'workflow_no_start',
  'workflow_invalid_join',
  'workflow_invalid_name',
  'workflow_duplicate_name',
  'workflow_unknown_node',
] as const;

export type TemplateRefusal = (typeof TEMPLATE_REFUSALS)[number];

/** `steps[2].parameters.rate` from a path of keys and indexes (after `base`). */
export function pathOf(parts: readonly PropertyKey[], base = ''): string {
  return parts.reduce<string>((acc, k) => {
    if (typeof k === 'number') return `${acc}[${k}]`;
    const key = String(k);
    return /^[A-Za-z_$][\w$]*$/.test(key) ? (acc ? `${acc}.${key}` : key) : `${acc}[${JSON.stringify(key)}]`;
  }, base) || '(root)';
}

export function refuseTemplate(
  template: string | undefined,
  path: string,
  reason: TemplateRefusal,
  message: string,
  extra: { details?: Record<string, unknown>; hint?: string; cause?: unknown } = {},
): never {
  throw new StagegraphError('invalid_template', `${template ? `template '${template}': ` : ''}${path}: ${message}`, {
    class: 'validation',
    details: { path, reason, ...(template ? { template } : {}), ...extra.details },
    hint: extra.hint,
    cause: extra.cause,
  });
}
