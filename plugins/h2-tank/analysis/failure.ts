/**
 * Failure analysis of the cylinder wall: first-ply failure by the Hashin criterion
 * (Z. Hashin, "Failure criteria for unidirectional fiber composites", J. Appl. Mech.
 * 47:329, 1980; plane-stress form) and a fiber-failure-governed burst pressure by
 * progressive ply discount (last-ply failure).
 *
 * Hashin, plane stress, per ply (sigma1 fiber, sigma2 transverse, tau12 shear):
 *   fiber tension      (s1/Xt)^2 + (t12/S)^2 = 1        (s1 >= 0)
 *   fiber compression  (s1/Xc)^2 = 1                    (s1 < 0)
 *   matrix tension     (s2/Yt)^2 + (t12/S)^2 = 1        (s2 >= 0)
 *   matrix compression (s2/Yc)^2 + (t12/S)^2 = 1        (s2 < 0; transverse shear
 *                      strength S_T = Yc/2 [T], which removes Hashin's linear term)
 * Stresses are linear in pressure, so each mode gives its failure pressure directly.
 * After a matrix failure the ply keeps 1 % of E2 and G12 [T] and the load is
 * redistributed; the first fiber failure is burst. Xt carries the delivered-stress
 * factor of the grade (lamina.ts), so burst is consistent with netting theory. The liner is left
 * out of the composite analysis (conservative); a load-bearing metal liner adds its
 * fully plastic ring load UTS t / R (at the fiber-failure strain of 1.5-2 % the metal
 * is far past yield [T]; the same liner share as the tank model, tank-model.ts).
 */
import { z } from 'zod';
import { basisForDesign } from './input.ts';
import type { Design, DesignBasis } from '../schemas.ts';
import { allowableFiberStressMPa } from '../engineering/materials.ts';
import type { LayerStress } from './clt.ts';
import { nettingFiberStressMPa, wallLayers, wallModel, type PlyName, type WallModel } from './wall.ts';
import { wallStressesAt } from './stress.ts';
import type { LaminaStrength } from './lamina.ts';

export const FAILURE_MODES = ['fiber-tension', 'fiber-compression', 'matrix-tension', 'matrix-compression'] as const;
export const FailureMode = z.enum(FAILURE_MODES);
export type FailureMode = z.infer<typeof FailureMode>;

const PlyEvent = z.object({ pressureMPa: z.number(), ply: z.string(), mode: FailureMode });

/** Result of the failure analysis (output of `analyze-failure`). */
export const FailureResult = z.object({
  criterion: z.literal('Hashin 1980, plane stress'),
  /** Lamina strengths used, MPa: Xt from the fiber [S], the rest typical [T]. */
  laminaStrengthsMPa: z.object({ XtMPa: z.number(), XcMPa: z.number(), YtMPa: z.number(), YcMPa: z.number(), SMPa: z.number() }),
  /** First-ply failure; null for a wall without plies. */
  firstPlyFailure: PlyEvent.extend({ ratioToNwp: z.number() }).nullable(),
  /** Ply failures in order of increasing pressure, ending with the fiber failure (hoop wrap: first-ply only). */
  sequence: z.array(PlyEvent),
  /** Netting-theory burst, MPa: pressure at which a fiber family reaches its delivered stress. */
  nettingBurstMPa: z.number().nullable(),
  /** Burst share of a load-bearing metal liner, MPa (0 for polymer liners). */
  linerShareMPa: z.number(),
  predictedBurstMPa: z.number(),
  burstMethod: z.enum(['progressive-hashin', 'hoop-wrap-limit-load', 'metal-plastic-collapse']),
  nwpMPa: z.number(),
  /** Predicted burst / NWP. */
  burstRatio: z.number(),
  /** Minimum burst / NWP from the design basis (governing standards). */
  requiredBurstRatio: z.number(),
  pass: z.boolean(),
  assumptions: z.array(z.string()),
});
export type FailureResult = z.infer<typeof FailureResult>;

/** Failure pressures (per mode) of one ply whose stresses at pressure p0 are `s`. */
export function hashinFailurePressures(s: Pick<LayerStress, 'sigma1MPa' | 'sigma2MPa' | 'tau12MPa'>, k: LaminaStrength, p0 = 1): Record<FailureMode, number> {
  const q = (a: number, b: number) => (a === 0 && b === 0 ? Infinity : p0 / Math.sqrt(a * a + b * b));
  const shear = s.tau12MPa / k.SMPa;
  return {
    'fiber-tension': s.sigma1MPa >= 0 ? q(s.sigma1MPa / k.XtMPa, shear) : Infinity,
    'fiber-compression': s.sigma1MPa < 0 ? (p0 * k.XcMPa) / -s.sigma1MPa : Infinity,
    'matrix-tension': s.sigma2MPa >= 0 ? q(s.sigma2MPa / k.YtMPa, shear) : Infinity,
    'matrix-compression': s.sigma2MPa < 0 ? q(s.sigma2MPa / k.YcMPa, shear) : Infinity,
  };
}

const isFiber = (m: FailureMode) => m === 'fiber-tension' || m === 'fiber-compression';

/** Progressive ply discount of the composite wall: ply failures up to the first fiber failure. */
export function progressiveFailure(w: WallModel): z.infer<typeof PlyEvent>[] {
  const degraded = new Set<PlyName>();
  const events: z.infer<typeof PlyEvent>[] = [];
  let pressure = 0;
  for (let iter = 0; iter < 8; iter++) {
    const layers = wallLayers(w, { includeLiner: false, degraded });
    const { stresses } = wallStressesAt(w, 1, layers);
    const candidates: { ply: PlyName; mode: FailureMode; p: number }[] = [];
    for (const s of stresses) {
      const ply = s.name as PlyName;
      for (const [mode, p] of Object.entries(hashinFailurePressures(s, w.lamina.strength)) as [FailureMode, number][]) {
        if (degraded.has(ply) && !isFiber(mode)) continue;
        candidates.push({ ply, mode, p });
      }
    }
    const pMin = Math.min(...candidates.map((c) => c.p));
    if (!Number.isFinite(pMin)) break;
    // Plies failing together (the +a and -a helicals) fail at once; a fiber mode ends it.
    const failing = candidates.filter((c) => c.p <= pMin * (1 + 1e-9));
    pressure = Math.max(pressure, pMin);
    const fiber = failing.find((c) => isFiber(c.mode));
    if (fiber) {
      events.push({ pressureMPa: pressure, ply: fiber.ply, mode: fiber.mode });
      return events;
    }
    for (const f of failing) {
      events.push({ pressureMPa: pressure, ply: f.ply, mode: f.mode });
      degraded.add(f.ply);
    }
  }
  return events;
}

/**
 * Failure analysis of a design: first-ply failure, predicted burst and the burst-ratio check.
 * @example analyzeFailure(basis, design).burstRatio // >= basis.burstRatio when it passes
 */
export function analyzeFailure(basis: DesignBasis, design: Design): FailureResult {
  basis = basisForDesign(basis, design);
  const w = wallModel(basis, design);
  const nwp = basis.requirements.pressureMPa;
  const sf = basis.fiber === 'none' ? 0 : allowableFiberStressMPa(basis.fiber);
  const R = w.boreRadiusMm;
  const linerShareMPa = w.liner.loadBearing ? (w.liner.tensileStrengthMPa * w.linerThicknessMm) / R : 0;
  const unit = nettingFiberStressMPa(w, 1);
  const nettingPressures = [unit.helicalMPa, unit.hoopMPa].filter((s) => s > 0).map((s) => sf / s);
  const nettingBurstMPa = nettingPressures.length > 0 ? Math.min(...nettingPressures) : null;

  let sequence: z.infer<typeof PlyEvent>[] = [];
  let predictedBurstMPa: number;
  let burstMethod: FailureResult['burstMethod'];
  const notes: string[] = [];
  if (w.helicalFiberMm > 0) {
    sequence = progressiveFailure(w);
    const last = sequence.at(-1);
    if (last === undefined || !isFiber(last.mode)) throw new RangeError(`design ${design.id}: no fiber failure found in the progressive analysis`);
    predictedBurstMPa = last.pressureMPa + linerShareMPa;
    burstMethod = 'progressive-hashin';
  } else if (w.hoopFiberMm > 0) {
    // Type II: hoop fiber + liner carry the hoop load, the liner alone the axial load.
    const hoop = (sf * w.hoopFiberMm) / R + linerShareMPa;
    const axial = (2 * w.liner.tensileStrengthMPa * w.linerThicknessMm) / R;
    predictedBurstMPa = Math.min(hoop, axial);
    burstMethod = 'hoop-wrap-limit-load';
    // First-ply failure of the hoop wrap with the liner in the laminate (it carries the axial load).
    const { stresses } = wallStressesAt(w, 1, wallLayers(w, { includeLiner: true }));
    const hoopPly = stresses.find((s) => s.name === 'hoop');
    if (hoopPly) {
      const modes = Object.entries(hashinFailurePressures(hoopPly, w.lamina.strength)) as [FailureMode, number][];
      const [mode, pressureMPa] = modes.reduce((a, b) => (b[1] < a[1] ? b : a));
      sequence = [{ pressureMPa, ply: 'hoop', mode }];
    }
    notes.push('Hoop-wrapped wall: limit load of hoop fiber at its delivered stress plus liner at UTS (hoop), liner alone (axial) [T].');
  } else {
    // Type I: Faupel's burst formula for a thick metal cylinder [T].
    const { yieldMPa, tensileStrengthMPa } = w.liner;
    predictedBurstMPa = (2 / Math.sqrt(3)) * yieldMPa * (2 - yieldMPa / tensileStrengthMPa) * Math.log((R + w.linerThicknessMm) / R);
    burstMethod = 'metal-plastic-collapse';
    notes.push("All-metal wall: Faupel's burst formula p = (2/sqrt 3) sy (2 - sy/su) ln(ro/ri) [T].");
  }
  const first = sequence[0];
  const burstRatio = predictedBurstMPa / nwp;
  return {
    criterion: 'Hashin 1980, plane stress',
    laminaStrengthsMPa: { ...w.lamina.strength },
    firstPlyFailure: first ? { ...first, ratioToNwp: first.pressureMPa / nwp } : null,
    sequence,
    nettingBurstMPa,
    linerShareMPa,
    predictedBurstMPa,
    burstMethod,
    nwpMPa: nwp,
    burstRatio,
    requiredBurstRatio: basis.burstRatio,
    pass: burstRatio >= basis.burstRatio * (1 - 1e-9),
    assumptions: [
      'First-ply failure: Hashin 1980 plane-stress criterion; matrix compression with S_T = Yc/2 [T]. Matrix cracking below NWP is normal in wound vessels and is not a burst criterion.',
      'Burst = first fiber failure after progressive ply discount (matrix-failed plies keep 1 % of E2, G12 [T]); Xt = delivered fiber stress x E1/Ef, the delivered stress being about 0.70 x strand for T700S (H2_REFERENCE CORRECTION, knockdowns.ts).',
      'Composite analysed without the liner (conservative); a load-bearing metal liner adds UTS t / R at burst [T].',
      'Lamina strengths other than Xt are typical values [T], not from a test of this material.',
      ...notes,
    ],
  };
}
