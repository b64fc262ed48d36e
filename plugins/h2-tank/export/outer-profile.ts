/**
 * The outer envelope of one tank as a revolved profile: flat polar cap, isotensoid
 * dome, cylinder, dome, cap. The STEP writer revolves it; the envelope volume it
 * reports is the reference the STEP round-trip test checks the solid against.
 *
 * The design's geometry (engineering/tank-model.ts) gives the outer radius, the
 * cylinder length, the overall length (cylinder + 2 x (liner dome height + wall),
 * boss protrusion excluded) and the polar opening radius. The outer dome is the
 * isotensoid meridian of engineering/dome.ts for r0 / R_outer, stretched axially to
 * (overall - cylinder) / 2 so the solid has exactly the design's overall length. The
 * meridian ends at its turning radius (just above r0), where it runs parallel to the
 * axis; a flat cap closes the opening there.
 */
import type { Design } from '../schemas.ts';
import { StagegraphError } from '../../../nodes/errors.ts';
import { MAX_RHO0, computeDomeIntegrals, domeProfile, turningRadiusSquared } from '../engineering/dome.ts';

/** A point of a dome meridian with its unit tangent, pointing from the equator to the pole. */
export interface ProfilePoint {
  /** Radius, mm. */
  r: number;
  /** Height above the cylinder end, mm. */
  h: number;
  tr: number;
  th: number;
}

/** The revolved outer envelope, mm. The solid spans z = -overall/2 .. +overall/2. */
export interface OuterProfile {
  outerRadiusMm: number;
  /** Radius of the flat cap at each pole (the meridian's turning radius). */
  poleRadiusMm: number;
  cylinderLengthMm: number;
  /** Axial height of each outer dome. */
  domeHeightMm: number;
  overallLengthMm: number;
  /** r0 / R_outer, the polar-opening ratio of the outer meridian. */
  rho0: number;
  /** Outer dome height / the isotensoid's natural height for R_outer (1 = natural shape). */
  axialScale: number;
  /** Meridian of one dome, equator (index 0) to pole. */
  dome: ProfilePoint[];
  /** Enclosed volume, mm^3, from the dome integrals (quadrature of pi r^2 dz), not from the spline. */
  volumeMm3: number;
}

/**
 * Unit tangent (dr, dh) of the meridian at rho, towards the pole. From the meridian
 * equation, dh/d(-rho) = rho^3 / sqrt(f) with f = (1 - x)(x - xe)(x + 1 + xe), x = rho^2
 * (the factored radicand of dome.ts); so the tangent is (-sqrt(f), rho^3), normalised.
 */
function tangentAt(rho: number, xe: number): [number, number] {
  const x = rho * rho;
  const f = Math.max(0, (1 - x) * (x - xe) * (x + 1 + xe));
  const a = -Math.sqrt(f);
  const b = rho ** 3;
  const n = Math.hypot(a, b);
  return [a / n, b / n];
}

/**
 * The outer envelope of `geometry` (see module doc).
 * @param segments meridian intervals per dome (the STEP writer makes one cubic span of each) @default 32
 * @throws StagegraphError `export_invalid_geometry` (class validation) for dimensions
 *   that do not describe a closed tank.
 * @example outerProfile(design.geometry).volumeMm3 / 1e6 // envelope volume, L
 */
export function outerProfile(geometry: Design['geometry'], segments = 32): OuterProfile {
  const { outerRadiusMm: R, polarOpeningRadiusMm: r0, cylinderLengthMm: lc, domeHeightMm, overallLengthMm: lo } = geometry;
  const bad = (why: string): never => {
    throw new StagegraphError('export_invalid_geometry', `cannot build the tank envelope: ${why}`, {
      class: 'validation',
      details: { geometry },
      hint: 'the design geometry must come from engineering/evaluate-design.ts',
    });
  };
  if (!(R > 0) || !(r0 > 0) || !(r0 / R <= MAX_RHO0)) bad(`need 0 < polarOpeningRadiusMm (${r0}) <= ${MAX_RHO0} x outerRadiusMm (${R})`);
  if (!(lc >= 0)) bad(`need cylinderLengthMm >= 0, got ${lc}`);
  const hd = (lo - lc) / 2;
  if (!(hd > 0) || hd < domeHeightMm) bad(`overallLengthMm ${lo} leaves outer domes of ${hd} mm, below the liner dome height ${domeHeightMm} mm`);

  const rho0 = r0 / R;
  const xe = turningRadiusSquared(rho0);
  const unit = computeDomeIntegrals(rho0);
  const raw = domeProfile(rho0, segments + 1);
  const axialScale = hd / (unit.heightRatio * R);
  // The profile's own pole height agrees with unit.heightRatio to quadrature accuracy;
  // scaling by it puts the pole exactly at the overall length.
  const pointScale = hd / (raw[raw.length - 1].z * R);
  const dome = raw.map((p, i): ProfilePoint => {
    const [tr0, th0] = i === 0 || i === raw.length - 1 ? [0, 1] : tangentAt(p.rho, xe);
    const th = th0 * pointScale;
    const n = Math.hypot(tr0, th);
    return { r: p.rho * R, h: p.z * R * pointScale, tr: tr0 / n, th: th / n };
  });
  const poleRadiusMm = Math.sqrt(xe) * R;
  dome[dome.length - 1].r = poleRadiusMm;
  return {
    outerRadiusMm: R,
    poleRadiusMm,
    cylinderLengthMm: lc,
    domeHeightMm: hd,
    overallLengthMm: lo,
    rho0,
    axialScale,
    dome,
    volumeMm3: Math.PI * R * R * lc + 2 * unit.volumeRatio * R ** 3 * axialScale,
  };
}
