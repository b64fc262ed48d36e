/**
 * Fixtures for the h2-tank analysis tests: a design basis and evaluated designs built
 * through the public tank model (evaluateDesign), so the analyses see real designs.
 */
import { DesignBasis, type Design, type DesignVariables, type Fiber, type Liner, type Standard, type TankType } from '../../plugins/h2-tank/schemas.ts';
import { evaluateDesign } from '../../plugins/h2-tank/engineering/evaluate-design.ts';
import type { StageContext } from '../../nodes/types.ts';

export interface BasisOptions {
  pressureMPa?: number;
  tankType?: TankType;
  liner?: Liner;
  fiber?: Fiber;
  burstRatio?: number;
  standards?: Standard[];
  temperatureC?: { min: number; max: number };
}

/** A 70 MPa automotive Type IV basis (T700S on HDPE, GTR 13) unless overridden. */
export function basisFor(o: BasisOptions = {}): DesignBasis {
  const standards = o.standards ?? ['GTR13'];
  return DesignBasis.parse({
    requirements: {
      pressureMPa: o.pressureMPa ?? 70,
      h2MassKg: 5,
      application: 'automotive',
      market: 'global',
      temperatureC: o.temperatureC ?? { min: -40, max: 85 },
      envelope: {},
      standards,
      priorities: ['lightest'],
      assumptions: [],
      parsedBy: 'structured',
    },
    tankType: o.tankType ?? 'IV',
    liner: o.liner ?? 'HDPE',
    fiber: o.fiber ?? 'T700S',
    resin: 'epoxy',
    burstRatio: o.burstRatio ?? 2.25,
    standards,
    goal: 'min-mass',
    seed: 1,
  });
}

/** Default variables: one tank, R 150 mm, 15 deg helicals, 4 mm liner, Vf 0.6, sized exactly. */
export const VARS: DesignVariables = {
  count: 1,
  innerRadiusMm: 150,
  cylinderLengthMm: 1000,
  helicalAngleDeg: 15,
  linerThicknessMm: 4,
  fiberVolumeFraction: 0.6,
  burstFactor: 1,
};

/** An evaluated design of `basis` with `VARS` overridden by `vars`. */
export function designFor(basis: DesignBasis, vars: Partial<DesignVariables> = {}): Design {
  return evaluateDesign({ ...VARS, ...vars }, basis);
}

/** A StageContext for calling a plugin's `run` directly; records progress reports. */
export function stageContext(signal: AbortSignal = new AbortController().signal): StageContext & { reports: number[] } {
  const reports: number[] = [];
  const log = { debug() {}, info() {}, warn() {}, error() {} };
  return {
    runId: 'test', stage: 'test', attempt: 1, signal, seed: 1, log, reports,
    progress: (pct: number) => { reports.push(pct); },
    emit: () => {},
  };
}

/** An already-aborted signal and the reason it carries. */
export function abortedSignal(): { signal: AbortSignal; reason: Error } {
  const c = new AbortController();
  const reason = new Error('aborted by test');
  c.abort(reason);
  return { signal: c.signal, reason };
}
