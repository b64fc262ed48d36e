/**
 * Decision point `compliance-gate`: after check-compliance, `pass` goes on to
 * validation; `fail` loops back to the design basis with the violated constraints
 * tightened (bounded by the workflow's loop edge).
 */
import type { DecisionPoint } from '../../../graph/decisions/types.ts';
import { StagegraphError } from '../../../nodes/errors.ts';

export interface ComplianceGateInputs {
  passed: boolean;
  failures: string[];
  notAssessable: string[];
}

export const COMPLIANCE_STAGE = 'check-compliance';

export const complianceGatePoint: DecisionPoint<ComplianceGateInputs> = {
  name: 'compliance-gate',
  description: 'Pass the design on to validation, or loop back to optimisation with tightened constraints',
  options: ['pass', 'fail'],
  inputs: (state) => {
    const c = state.outputs[COMPLIANCE_STAGE] as ComplianceGateInputs | undefined;
    if (!c) {
      throw new StagegraphError('decision_missing_input', `decision point 'compliance-gate' needs the output of '${COMPLIANCE_STAGE}'`, { class: 'fatal' });
    }
    return { passed: c.passed, failures: c.failures, notAssessable: c.notAssessable };
  },
  rules: [
    {
      id: 'all-assessable-pass',
      when: (i) => i.passed,
      choose: 'pass',
      because: (i) => `every assessable rule passes${i.notAssessable.length ? ` (${i.notAssessable.length} not assessable without test data: ${i.notAssessable.join(', ')})` : ''}`,
      evidence: { source: 'check-compliance rule table' },
      confidence: 1,
      safety: true,
    },
    {
      id: 'any-rule-fails',
      when: (i) => !i.passed,
      choose: 'fail',
      because: (i) => `rules fail: ${i.failures.join(', ')}; re-optimise with the violated constraints tightened`,
      evidence: (i) => ({ dataPoint: `failures = ${i.failures.join(', ')}`, source: 'check-compliance rule table' }),
      confidence: 1,
      safety: true,
    },
  ],
  default: 'fail',
  whyNot: (i, option) => (option === 'pass' ? `rules fail: ${i.failures.join(', ')}` : 'no assessable rule fails'),
};
