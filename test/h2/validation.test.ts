/**
 * The layered thick-cylinder solver against Lamé's exact isotropic solution and the
 * thin-wall limit, and the validate-design stage against the CLT shell stresses.
 */
import { describe, expect, it } from 'vitest';
import { isotropicStiffness, solveLayeredCylinder, type CylLayer } from '../../plugins/h2-tank/validation/thick-cylinder.ts';
import { plyCylStiffness, validateDesign } from '../../plugins/h2-tank/validation/shell-check.ts';
import { laminaFor } from '../../plugins/h2-tank/analysis/lamina.ts';
import { validateDesignStage } from '../../plugins/h2-tank/stages/validate-design.ts';
import { abortedSignal, basisFor, designFor, stageContext } from './analysis-fixtures.ts';

/** Lamé, closed ends: sigma_r = A - B/r^2, sigma_theta = A + B/r^2, sigma_z = A. */
function lame(ri: number, ro: number, p: number, r: number) {
  const A = (p * ri * ri) / (ro * ro - ri * ri);
  const B = (p * ri * ri * ro * ro) / (ro * ro - ri * ri);
  return { r: A - B / (r * r), t: A + B / (r * r), z: A };
}

const steel = isotropicStiffness(210_000, 0.3);
const rel = (a: number, b: number, scale: number) => Math.abs(a - b) / scale;

describe('layered thick cylinder', () => {
  it.each([
    ['one layer', [[100, 140]]],
    ['three layers of one material', [[100, 110], [110, 125], [125, 140]]],
  ] as const)('reproduces Lamé exactly (1e-6) with %s', (_name, radii) => {
    const layers: CylLayer[] = radii.map(([a, b], i) => ({ name: `l${i}`, innerRadiusMm: a, outerRadiusMm: b, stiffness: steel }));
    const p = 70;
    const res = solveLayeredCylinder(layers, p);
    for (const l of res.layers) {
      l.radiiMm.forEach((r, i) => {
        const e = lame(100, 140, p, r);
        expect(rel(l.sigmaRMPa[i], e.r, p)).toBeLessThan(1e-6);
        expect(rel(l.sigmaThetaMPa[i], e.t, p)).toBeLessThan(1e-6);
        expect(rel(l.sigmaZMPa[i], e.z, p)).toBeLessThan(1e-6);
      });
    }
  });

  it('gives sigma_z = 0 with open ends', () => {
    const res = solveLayeredCylinder([{ name: 'a', innerRadiusMm: 50, outerRadiusMm: 60, stiffness: steel }], 10, { closedEnds: false });
    for (const s of res.layers[0].sigmaZMPa) expect(Math.abs(s)).toBeLessThan(1e-9);
  });

  it('tends to the thin-wall membrane stresses pR/t and pR/2t (t/R = 1e-3)', () => {
    const R = 1000;
    const t = 1;
    const res = solveLayeredCylinder([{ name: 'a', innerRadiusMm: R, outerRadiusMm: R + t, stiffness: steel }], 1);
    expect(res.layers[0].meanHoopMPa / (R / t)).toBeCloseTo(1, 6); // exact: integral of sigma_theta = p R_i
    expect(res.layers[0].meanAxialMPa / (R / (2 * t))).toBeCloseTo(1, 3);
  });

  it('balances hoop force exactly in an anisotropic multi-layer wall', () => {
    const l = laminaFor('T700S', 0.6);
    const layers: CylLayer[] = [
      { name: 'liner', innerRadiusMm: 150, outerRadiusMm: 154, stiffness: isotropicStiffness(1000, 0.46) },
      { name: 'hoop', innerRadiusMm: 154, outerRadiusMm: 164, stiffness: plyCylStiffness(l, 90) },
      { name: 'helical', innerRadiusMm: 164, outerRadiusMm: 170, stiffness: plyCylStiffness(l, 15) },
    ];
    const res = solveLayeredCylinder(layers, 70, { samplesPerLayer: 201 });
    const hoopForce = res.layers.reduce((s, x) => s + x.meanHoopMPa * (x.radiiMm.at(-1)! - x.radiiMm[0]), 0);
    expect(hoopForce / (70 * 150)).toBeCloseTo(1, 6);
    // Radial stress is continuous across interfaces and vanishes outside.
    expect(res.layers[0].sigmaRMPa.at(-1)!).toBeCloseTo(res.layers[1].sigmaRMPa[0], 9);
    expect(res.layers[2].sigmaRMPa.at(-1)!).toBeCloseTo(0, 9);
  });
});

describe('validate-design', () => {
  it('agrees with CLT within 10 % (mean) for the 70 MPa reference wall and is not flagged', () => {
    const b = basisFor();
    const v = validateDesign(b, designFor(b));
    expect(v.maxMeanDeviation).toBeLessThan(0.05);
    // Peak vs membrane: the Lamé gradient across a wall of thickness t is of order t / R
    // (17.6 mm of composite on R 150 at the delivered stress: 0.12), the bound used here.
    const d = designFor(b);
    expect(v.maxPeakDeviation).toBeLessThan(d.layup.compositeMm / d.geometry.innerRadiusMm);
    expect(v.flagged).toBe(false);
    expect(v.layers.map((l) => [l.layer, l.dominant])).toEqual([['liner', 'hoop'], ['hoop', 'hoop'], ['helical', 'axial']]);
  });

  it('converges on CLT in the thin-wall limit (t/R 0.3 % -> under 0.1 %)', () => {
    const b = basisFor({ pressureMPa: 2 });
    const v = validateDesign(b, designFor(b, { innerRadiusMm: 500, linerThicknessMm: 0.1 }));
    expect(v.maxMeanDeviation).toBeLessThan(1e-3);
  });

  it('flags a wall when the tolerance is tighter than its thick-wall deviation', () => {
    const b = basisFor();
    expect(validateDesign(b, designFor(b), { tolerance: 0.01 }).flagged).toBe(true);
  });

  it('stage: schema-valid output, progress to 100, honours the signal', async () => {
    const b = basisFor();
    const input = { basis: b, design: designFor(b) };
    const ctx = stageContext();
    const out = validateDesignStage.output.parse(await validateDesignStage.run(input, ctx));
    expect(out.stacking).toBe('hoop-first');
    expect(ctx.reports.at(-1)).toBe(100);
    const { signal, reason } = abortedSignal();
    await expect(validateDesignStage.run(input, stageContext(signal))).rejects.toBe(reason);
  });
});
