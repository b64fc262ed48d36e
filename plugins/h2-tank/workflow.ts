/**
 * The flagship workflow: plain-English requirements in, an explained,
 * standards-checked hydrogen tank design package out.
 *
 *   parse-requirements -> tank-type -> materials -> standards -> goal -> design-basis
 *   -> optimize (stepped) -> evaluate-front -> design-choice
 *   -> [analyze-stress | analyze-failure | analyze-thermal? | analyze-cost?] -> check-compliance
 *   -> compliance-gate: pass -> validate-design -> export-package
 *                       fail -> design-basis (tightened; at most 3 loops, then the run fails)
 */
import { join } from 'node:path';
import type { DecisionRecord } from '../../graph/decisions/types.ts';
import type { WorkflowStateValue } from '../../graph/state.ts';
import { defineWorkflow, END, START } from '../../graph/workflow.ts';
import { complianceGatePoint } from './decisions/compliance-gate.ts';
import { designChoicePoint, goalPoint, materialsPoint, standardsPoint, tankTypePoint } from './decisions/index.ts';
import type { Design, DesignBasis, Requirements } from './schemas.ts';
import { basisForDesign } from './analysis/input.ts';
import { withAssumptions } from './engineering/knockdowns.ts';
import { gravimetricNote } from './engineering/gravimetric.ts';
import { analyzeCostStage } from './stages/analyze-cost.ts';
import { analyzeFailureStage } from './stages/analyze-failure.ts';
import { analyzeStressStage } from './stages/analyze-stress.ts';
import { analyzeThermalStage } from './stages/analyze-thermal.ts';
import { checkComplianceStage } from './stages/check-compliance.ts';
import { designBasisStage } from './stages/design-basis.ts';
import { evaluateFrontStage } from './stages/evaluate-front.ts';
import { exportPackage as exportPackageStage } from './stages/export-package.ts';
import { optimizeStage } from './stages/optimize.ts';
import { parseRequirementsStage } from './stages/parse-requirements.ts';
import { validateDesignStage } from './stages/validate-design.ts';

/** How many times a compliance failure may send the design back to optimisation. */
export const MAX_COMPLIANCE_LOOPS = 3;

const out = <T>(s: WorkflowStateValue, stage: string) => s.outputs[stage] as T;
const chosen = (s: WorkflowStateValue, point: string) => s.decisions[point]!.chosen;

/** The design the `design-choice` point picked, from the evaluated front, with its knock-down rows. */
export function chosenDesign(s: WorkflowStateValue): Design {
  const designs = out<{ designs: Design[] }>(s, 'evaluate-front').designs;
  const id = chosen(s, 'design-choice');
  const d = designs.find((x) => x.id === id) ?? designs[0]!;
  const basis = s.outputs['design-basis'] as DesignBasis | undefined;
  return basis ? withAssumptions(d, basis) : d;
}

/** The basis as it applies to the chosen design (its fiber grade and liner). */
function chosenBasis(s: WorkflowStateValue): DesignBasis {
  return basisForDesign(out<DesignBasis>(s, 'design-basis'), chosenDesign(s));
}

function analysisInput(s: WorkflowStateValue) {
  return { basis: chosenBasis(s), design: chosenDesign(s) };
}

/** Accepts plain text, `{ text?, structured?, clarifications? }`, or a structured requirements object. */
function toParseInput(request: unknown): unknown {
  if (typeof request === 'string') return { text: request };
  const r = (request ?? {}) as Record<string, unknown>;
  if ('text' in r || 'structured' in r) return r;
  return { structured: r };
}

function summarize(s: WorkflowStateValue): string[] {
  if (!s.outputs['evaluate-front'] || !s.decisions['design-choice']) return [];
  const d = chosenDesign(s);
  const basis = chosenBasis(s);
  const req = out<Requirements>(s, 'parse-requirements');
  const compliance = out<{ passed: boolean; rules: unknown[]; failures: string[] }>(s, 'check-compliance');
  const front = out<{ spread?: { note?: string } }>(s, 'evaluate-front');
  const sys = d.totals.system;
  const lines = [
    '',
    `Design ${d.id}: Type ${basis.tankType}, ${basis.liner} liner${basis.fiber === 'none' ? '' : `, ${basis.fiber}/${basis.resin}`}, ${d.variables.count} x tank`,
    `  per tank: inner radius ${d.geometry.innerRadiusMm.toFixed(0)} mm, outer diameter ${(2 * d.geometry.outerRadiusMm).toFixed(0)} mm, length ${d.geometry.overallLengthMm.toFixed(0)} mm` +
      `${d.packaging ? ` (${d.packaging.lengthMm.toFixed(0)} mm with bosses)` : ''}, ${d.geometry.waterVolumeL.toFixed(1)} L, ` +
      (basis.tankType === 'I' ? `steel wall ${d.variables.linerThicknessMm.toFixed(1)} mm` : `wall ${d.layup.compositeMm.toFixed(1)} mm composite`),
    `  tanks only: ${d.totals.storedH2Kg.toFixed(2)} kg H2 at ${req.pressureMPa} MPa / 15 C in ${d.totals.waterVolumeL.toFixed(1)} L, ${d.totals.massKg.toFixed(1)} kg, ${d.totals.costUsd.toFixed(0)} USD, ${d.totals.gravimetricPct.toFixed(2)} wt% H2`,
    ...(sys ? [`  system (with valves and fittings, ${sys.valvesKgPerTank} kg and ${sys.valvesUsdPerTank} USD per tank): ${sys.massKg.toFixed(1)} kg, ${sys.costUsd.toFixed(0)} USD, ${sys.gravimetricPct.toFixed(2)} wt% H2`] : []),
    `  ${gravimetricNote(d, basis)}`,
    `  ${d.totals.volumetricKgPerL.toFixed(4)} kg H2/L water${d.packaging ? `, ${d.packaging.h2KgPerEnvelopeL.toFixed(4)} kg H2/L packaged (${d.packaging.envelopeL.toFixed(0)} L of bounding boxes)` : ''}, burst ${d.burstPressureMPa.toFixed(1)} MPa (ratio ${(d.burstPressureMPa / req.pressureMPa).toFixed(2)} vs ${basis.burstRatio} required)`,
    ...(basis.packaging ? [`  packaging: ${basis.packaging.note}`] : []),
    ...(front.spread?.note ? [`  front: ${front.spread.note}`] : []),
    `  compliance (${basis.standards.join(', ')}): ${compliance ? (compliance.passed ? 'pass' : `FAIL ${compliance.failures.join(', ')}`) : 'not checked'}`,
  ];
  if (req.assumptions.length) lines.push('  assumptions:', ...req.assumptions.map((a) => `    - ${a}`));
  return lines;
}

export const h2TankWorkflow = defineWorkflow({
  id: 'h2-tank',
  description: 'Autonomous hydrogen pressure tank designer: requirements in, explained, standards-checked design package out',
  stages: [
    parseRequirementsStage, designBasisStage, optimizeStage, evaluateFrontStage,
    analyzeStressStage, analyzeFailureStage, analyzeThermalStage, analyzeCostStage,
    checkComplianceStage, validateDesignStage, exportPackageStage,
  ],
  decisions: [tankTypePoint, materialsPoint, standardsPoint, goalPoint, designChoicePoint, complianceGatePoint],
  edges: [
    { from: START, to: 'parse-requirements' },
    { from: 'parse-requirements', to: 'tank-type' },
    { from: 'tank-type', to: 'materials' },
    { from: 'materials', to: 'standards' },
    { from: 'standards', to: 'goal' },
    { from: 'goal', to: 'design-basis' },
    { from: 'design-basis', to: 'optimize' },
    { from: 'optimize', to: 'evaluate-front' },
    { from: 'evaluate-front', to: 'design-choice' },
    { from: 'design-choice', to: ['analyze-stress', 'analyze-failure', 'analyze-thermal', 'analyze-cost'] },
    { from: ['analyze-stress', 'analyze-failure', 'analyze-thermal', 'analyze-cost'], to: 'check-compliance' },
    { from: 'check-compliance', to: 'compliance-gate' },
    {
      from: 'compliance-gate',
      routes: { pass: 'validate-design', fail: 'design-basis' },
      loop: { maxIterations: MAX_COMPLIANCE_LOOPS, onExhausted: 'fail' },
    },
    { from: 'validate-design', to: 'export-package' },
    { from: 'export-package', to: END },
  ],
  request: toParseInput,
  inputs: {
    'design-basis': (s) => ({
      requirements: out(s, 'parse-requirements'),
      tankType: chosen(s, 'tank-type'),
      materials: chosen(s, 'materials'),
      standards: chosen(s, 'standards'),
      goal: chosen(s, 'goal'),
      seed: s.run?.seed ?? 1,
      previous: s.outputs['design-basis'] ?? null,
      tighten: s.decisions['compliance-gate']?.chosen === 'fail' ? (out<{ tighten?: object }>(s, 'check-compliance').tighten ?? null) : null,
    }),
    'analyze-stress': analysisInput,
    'analyze-failure': analysisInput,
    'analyze-thermal': analysisInput,
    'analyze-cost': analysisInput,
    'check-compliance': (s) => ({
      ...analysisInput(s),
      stress: out(s, 'analyze-stress'),
      failure: out(s, 'analyze-failure'),
      thermal: s.outputs['analyze-thermal'] ?? null,
      cost: s.outputs['analyze-cost'] ?? null,
    }),
    'validate-design': analysisInput,
    'export-package': (s) => {
      const runId = s.run?.id ?? 'studio';
      const front = out<{ designs: Design[] }>(s, 'evaluate-front').designs;
      return {
        runId,
        outDir: join(s.run?.outRoot ?? 'out', runId),
        requirements: out(s, 'parse-requirements'),
        basis: chosenBasis(s),
        design: chosenDesign(s),
        front,
        decisions: s.decisionLog as DecisionRecord[],
        analyses: {
          stress: out(s, 'analyze-stress'),
          failure: out(s, 'analyze-failure'),
          thermal: s.outputs['analyze-thermal'] ?? null,
          cost: s.outputs['analyze-cost'] ?? null,
        },
        compliance: out(s, 'check-compliance'),
        validation: s.outputs['validate-design'] ?? null,
        warnings: s.warnings.map((w) => w.message),
      };
    },
  },
  summarize,
});
