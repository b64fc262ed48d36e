/**
 * Isotensoid (geodesic, netting-theory) dome of a filament-wound vessel.
 *
 * Meridian (H2_REFERENCE "Geodesic winding"), rho = r/R, rho0 = r0/R:
 *   dz/drho = -rho^3 / sqrt((rho^2 - rho0^2)/(1 - rho0^2) - rho^6)
 * With x = rho^2 and k = 1/(1 - rho0^2) the radicand factors exactly:
 *   f(x) = (1 - x)(x - xe)(x + 1 + xe),   xe = (sqrt(4k - 3) - 1)/2  (xe >= rho0^2)
 * so the meridian runs from the equator (x = 1) to the turning radius rho_e = sqrt(xe),
 * where it becomes parallel to the axis (the boss sits there), and both ends are
 * inverse-square-root singular. The substitution x = xe + (1 - xe)(1 - cos θ)/2 removes
 * both: |dz| = x dθ / (2 sqrt(x + 1 + xe)), smooth on θ ∈ [0, π].
 *
 * Helical fiber on the dome obeys Clairaut, r sin a = r0, and fiber conservation,
 * t(r) r cos a(r) = t_R R cos a_R, so its mass is rho_c t_R R cos a_R ∫ 2π ds / cos a.
 * 1/cos a peaks sharply at the turning radius (width ~ (xe - x0)^(1/2) in θ); the
 * stretch θ = 2c sinh(u) resolves that peak, and all integrals use composite
 * Gauss-Legendre in u.
 */

/** Dimensionless dome integrals for a polar-opening ratio rho0 (all per cylinder radius R). */
export interface DomeIntegrals {
  rho0: number;
  /** Turning radius of the meridian / R (slightly above rho0). */
  rhoEnd: number;
  /** Dome height from the equator to the turning radius, z/R. */
  heightRatio: number;
  /** Volume enclosed between the equator plane and the dome (opening closed flat) / R^3. */
  volumeRatio: number;
  /** Meridian surface area / R^2. */
  areaRatio: number;
  /** ∫ ds / cos a over the meridian, / R (helical fiber mass integral, see module doc). */
  helicalIntegral: number;
}

// 4-point Gauss-Legendre nodes and weights on [-1, 1] (Abramowitz & Stegun 25.4.30).
const GL_X = [-0.8611363115940526, -0.3399810435848563, 0.3399810435848563, 0.8611363115940526];
const GL_W = [0.3478548451374538, 0.6521451548625461, 0.6521451548625461, 0.3478548451374538];
/** Composite segments; 64 x 4 nodes gives z/R to better than 1e-9 (checked against 256 x 4). */
const SEGMENTS = 64;
/** Floor of the sinh-stretch scale c, so rho0 -> 0 keeps a usable node spread. */
const STRETCH_FLOOR = 1e-4;
/**
 * Largest polar-opening ratio accepted. Beyond rho0^2 = 2/3 (sin of the 54.74 deg
 * netting angle) xe > 1 and no isotensoid dome exists; 0.8 keeps a margin.
 */
export const MAX_RHO0 = 0.8;

function checkRho0(rho0: number): void {
  if (!(rho0 >= 0 && rho0 <= MAX_RHO0)) throw new RangeError(`dome: rho0 must be in [0, ${MAX_RHO0}], got ${rho0}`);
}

/** x_e, the squared turning radius of the meridian, for a polar-opening ratio rho0. */
export function turningRadiusSquared(rho0: number): number {
  checkRho0(rho0);
  const k = 1 / (1 - rho0 * rho0);
  return (Math.sqrt(4 * k - 3) - 1) / 2;
}

/** Computes the dome integrals directly (no cache). Prefer {@link domeIntegrals} in hot code. */
export function computeDomeIntegrals(rho0: number): DomeIntegrals {
  const x0 = rho0 * rho0;
  const xe = turningRadiusSquared(rho0);
  const span = 1 - xe;
  const c = Math.max(STRETCH_FLOOR, Math.sqrt(Math.max(0, xe - x0) / span));
  const uMax = Math.asinh(Math.PI / (2 * c));
  const h = uMax / SEGMENTS;
  let height = 0;
  let volume = 0;
  let area = 0;
  let helical = 0;
  for (let s = 0; s < SEGMENTS; s++) {
    const mid = (s + 0.5) * h;
    for (let j = 0; j < 4; j++) {
      const u = mid + 0.5 * h * GL_X[j];
      const theta = 2 * c * Math.sinh(u);
      const dThetaDu = 2 * c * Math.cosh(u);
      const x = xe + (span * (1 - Math.cos(theta))) / 2;
      const rho = Math.sqrt(x);
      const dz = x / (2 * Math.sqrt(x + 1 + xe)); // |dz/dθ|
      const dRho = (span * Math.sin(theta)) / (4 * rho); // dρ/dθ
      const ds = Math.sqrt(dz * dz + dRho * dRho);
      const cosA = x0 === 0 ? 1 : Math.sqrt((x - x0) / x);
      const w = 0.5 * h * GL_W[j] * dThetaDu;
      height += w * dz;
      volume += w * Math.PI * x * dz;
      area += w * 2 * Math.PI * rho * ds;
      helical += (w * ds) / cosA;
    }
  }
  return { rho0, rhoEnd: Math.sqrt(xe), heightRatio: height, volumeRatio: volume, areaRatio: area, helicalIntegral: helical };
}

/** Grid step of the rho0 cache; linear interpolation error about 1e-6 relative (step^2/8 x curvature), tested to 2e-6. */
const CACHE_STEP = 1 / 400;
const CACHE_SIZE = Math.ceil(MAX_RHO0 / CACHE_STEP) + 1;
const cache: (DomeIntegrals | undefined)[] = new Array(CACHE_SIZE);

function cached(i: number): DomeIntegrals {
  let d = cache[i];
  if (d === undefined) {
    d = computeDomeIntegrals(Math.min(MAX_RHO0, i * CACHE_STEP));
    cache[i] = d;
  }
  return d;
}

/**
 * Dome integrals for rho0, linearly interpolated between lazily computed grid nodes
 * (step 1/400), written into `out` so hot loops do not allocate.
 */
export function domeIntegrals(rho0: number, out: DomeIntegrals = { rho0: 0, rhoEnd: 0, heightRatio: 0, volumeRatio: 0, areaRatio: 0, helicalIntegral: 0 }): DomeIntegrals {
  checkRho0(rho0);
  const pos = rho0 / CACHE_STEP;
  const i = Math.min(CACHE_SIZE - 2, Math.floor(pos));
  const f = pos - i;
  const a = cached(i);
  const b = cached(i + 1);
  out.rho0 = rho0;
  out.rhoEnd = a.rhoEnd + f * (b.rhoEnd - a.rhoEnd);
  out.heightRatio = a.heightRatio + f * (b.heightRatio - a.heightRatio);
  out.volumeRatio = a.volumeRatio + f * (b.volumeRatio - a.volumeRatio);
  out.areaRatio = a.areaRatio + f * (b.areaRatio - a.areaRatio);
  out.helicalIntegral = a.helicalIntegral + f * (b.helicalIntegral - a.helicalIntegral);
  return out;
}

/** Dome height z/R from the equator to the polar opening. @example domeHeightRatio(0.2) // ≈ 0.617 */
export function domeHeightRatio(rho0: number): number {
  return computeDomeIntegrals(rho0).heightRatio;
}

/** A point of the dome meridian, both per cylinder radius R. */
export interface MeridianPoint {
  /** r / R. */
  rho: number;
  /** Axial distance beyond the cylinder end, z / R. */
  z: number;
}

/**
 * Meridian profile from the equator (rho 1, z 0) to the turning radius (rho_e, z = H),
 * `points` points evenly spaced in θ (denser near both ends in r), for geometry export.
 */
export function domeProfile(rho0: number, points = 41): MeridianPoint[] {
  if (!Number.isInteger(points) || points < 2) throw new RangeError(`domeProfile: points must be an integer >= 2, got ${points}`);
  const xe = turningRadiusSquared(rho0);
  const span = 1 - xe;
  const dzdTheta = (theta: number): number => {
    const x = xe + (span * (1 - Math.cos(theta))) / 2;
    return x / (2 * Math.sqrt(x + 1 + xe));
  };
  const result: MeridianPoint[] = [{ rho: 1, z: 0 }];
  const step = Math.PI / (points - 1);
  let z = 0;
  for (let k = points - 1; k > 0; k--) {
    // Integrate dz over [θ_(k-1), θ_k] with 4-point Gauss-Legendre (smooth integrand).
    const mid = (k - 0.5) * step;
    for (let j = 0; j < 4; j++) z += 0.5 * step * GL_W[j] * dzdTheta(mid + 0.5 * step * GL_X[j]);
    const theta = (k - 1) * step;
    result.push({ rho: Math.sqrt(xe + (span * (1 - Math.cos(theta))) / 2), z });
  }
  return result;
}
