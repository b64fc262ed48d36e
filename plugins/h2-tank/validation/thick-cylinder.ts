/**
 * Layered thick-walled cylinder under internal pressure, each layer cylindrically
 * orthotropic (Lekhnitskii, "Anisotropic Plates" / "Theory of Elasticity of an
 * Anisotropic Body", axisymmetric case), in generalised plane strain: the axial strain
 * eps0 is the same in every layer and is fixed by the closed-end axial force.
 *
 * In each layer the radial displacement is
 *   u(r) = A rho^k + B rho^-k + eps0 g(r),   rho = r / a (a: layer inner radius),
 *   k = sqrt(C_tt / C_rr),  g = alpha r  (k != 1)  or  beta r ln(rho)  (k = 1),
 * which solves  C_rr (u'' + u'/r) - C_tt u / r^2 + (C_rz - C_tz) eps0 / r = 0.
 * Radial stress is -p at the bore and 0 outside; u and sigma_r are continuous at every
 * interface. The 2N + 1 unknowns are solved numerically (Gaussian elimination with
 * partial pivoting). Units: MPa, mm.
 */

/** Stiffness of a cylindrically orthotropic layer in (r, theta, z), MPa. */
export interface CylStiffness {
  rr: number;
  rt: number;
  rz: number;
  tt: number;
  tz: number;
  zz: number;
}

/** One layer of the wall, from the bore outward. */
export interface CylLayer {
  name: string;
  innerRadiusMm: number;
  outerRadiusMm: number;
  stiffness: CylStiffness;
}

/** Stresses through one layer. */
export interface CylLayerResult {
  name: string;
  radiiMm: number[];
  sigmaRMPa: number[];
  sigmaThetaMPa: number[];
  sigmaZMPa: number[];
  /** Thickness-averaged hoop and axial stress (Simpson over the samples). */
  meanHoopMPa: number;
  meanAxialMPa: number;
  /** Largest absolute hoop stress in the layer, signed. */
  peakHoopMPa: number;
}

export interface ThickCylinderResult {
  /** Uniform axial strain (generalised plane strain). */
  axialStrain: number;
  /** Radial displacement of the bore, mm. */
  boreDisplacementMm: number;
  layers: CylLayerResult[];
}

export interface ThickCylinderOptions {
  /** Closed ends carry the pressure on the end caps; open ends carry no axial force. @default true */
  closedEnds?: boolean;
  /** Points per layer (odd, for Simpson). @default 21 */
  samplesPerLayer?: number;
}

/** Isotropic stiffness in (r, theta, z) from Young's modulus (MPa) and Poisson's ratio. */
export function isotropicStiffness(EMPa: number, nu: number): CylStiffness {
  const lambda = (EMPa * nu) / ((1 + nu) * (1 - 2 * nu));
  const diag = lambda + EMPa / (1 + nu);
  return { rr: diag, rt: lambda, rz: lambda, tt: diag, tz: lambda, zz: diag };
}

/** Relative distance of k from 1 below which the logarithmic particular solution is used. */
const ISOTROPIC_K_TOL = 1e-7;

/** The closed-form pieces of one layer: coefficients of [A, B, eps0] in u, sigma_r, sigma_theta, sigma_z. */
class LayerBasis {
  readonly k: number;
  readonly log: boolean;
  /** alpha (k != 1) or beta (k = 1), per unit eps0. */
  readonly part: number;

  constructor(readonly layer: CylLayer) {
    const c = layer.stiffness;
    this.k = Math.sqrt(c.tt / c.rr);
    this.log = Math.abs(this.k - 1) < ISOTROPIC_K_TOL;
    this.part = this.log ? (c.tz - c.rz) / (2 * c.rr) : (c.tz - c.rz) / (c.rr - c.tt);
  }

  private rho(r: number): number { return r / this.layer.innerRadiusMm; }

  /** [du/dr, u/r] per unit of each unknown. */
  private grads(r: number): { A: [number, number]; B: [number, number]; E: [number, number] } {
    const { k, part } = this;
    const rho = this.rho(r);
    const pk = rho ** k;
    const mk = rho ** -k;
    const ln = Math.log(rho);
    const E: [number, number] = this.log ? [part * (ln + 1), part * ln] : [part, part];
    return { A: [(k * pk) / r, pk / r], B: [(-k * mk) / r, mk / r], E };
  }

  /** Coefficients of [A, B, eps0] in u(r), mm. */
  u(r: number): [number, number, number] {
    const rho = this.rho(r);
    const g = this.log ? this.part * r * Math.log(rho) : this.part * r;
    return [rho ** this.k, rho ** -this.k, g];
  }

  /** Coefficients of [A, B, eps0] in a stress row (d, t, e) = coefficients of (u', u/r, eps0). */
  stress(r: number, d: number, t: number, e: number): [number, number, number] {
    const g = this.grads(r);
    return [d * g.A[0] + t * g.A[1], d * g.B[0] + t * g.B[1], d * g.E[0] + t * g.E[1] + e];
  }

  sigmaR(r: number) { const c = this.layer.stiffness; return this.stress(r, c.rr, c.rt, c.rz); }
  sigmaT(r: number) { const c = this.layer.stiffness; return this.stress(r, c.rt, c.tt, c.tz); }
  sigmaZ(r: number) { const c = this.layer.stiffness; return this.stress(r, c.rz, c.tz, c.zz); }

  /** Coefficients of [A, B, eps0] in the integral of sigma_z r dr over the layer, MPa mm^2 (x 2 pi = axial force, N). */
  axialForce(): [number, number, number] {
    const c = this.layer.stiffness;
    const { k, part } = this;
    const a = this.layer.innerRadiusMm;
    const b = this.layer.outerRadiusMm;
    const rb = b / a;
    const powInt = (m: number) => (Math.abs(m) < 1e-12 ? Math.log(rb) : (rb ** m - 1) / m);
    const fA = (c.rz * k + c.tz) * a * powInt(k + 1);
    const fB = (c.tz - c.rz * k) * a * powInt(1 - k);
    const area = (b * b - a * a) / 2;
    let fE: number;
    if (this.log) {
      const J = a * a * ((rb * rb * Math.log(rb)) / 2 - (rb * rb) / 4 + 0.25);
      fE = part * (c.rz + c.tz) * J + (c.rz * part + c.zz) * area;
    } else {
      fE = ((c.rz + c.tz) * part + c.zz) * area;
    }
    return [fA, fB, fE];
  }
}

/**
 * Solves `M x = rhs` in place by Gaussian elimination with partial pivoting.
 * @throws RangeError when the matrix is singular.
 */
export function solveLinear(M: number[][], rhs: number[]): number[] {
  const n = rhs.length;
  const a = M.map((row, i) => [...row, rhs[i]]);
  for (let col = 0; col < n; col++) {
    let piv = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r][col]) > Math.abs(a[piv][col])) piv = r;
    if (Math.abs(a[piv][col]) < 1e-300) throw new RangeError('singular matrix');
    [a[col], a[piv]] = [a[piv], a[col]];
    for (let r = col + 1; r < n; r++) {
      const f = a[r][col] / a[col][col];
      if (f === 0) continue;
      for (let c = col; c <= n; c++) a[r][c] -= f * a[col][c];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = a[r][n];
    for (let c = r + 1; c < n; c++) s -= a[r][c] * x[c];
    x[r] = s / a[r][r];
  }
  return x;
}

const dot3 = (c: [number, number, number], A: number, B: number, e: number) => c[0] * A + c[1] * B + c[2] * e;

/** Simpson's rule over equally spaced samples (odd count). */
function simpsonMean(y: number[]): number {
  const n = y.length - 1;
  let s = y[0] + y[n];
  for (let i = 1; i < n; i++) s += (i % 2 === 1 ? 4 : 2) * y[i];
  return s / (3 * n);
}

/**
 * Stresses in a layered, cylindrically orthotropic cylinder under internal pressure.
 * @param layers contiguous layers from the bore outward
 * @example solveLayeredCylinder([{ name: 'steel', innerRadiusMm: 100, outerRadiusMm: 120,
 *   stiffness: isotropicStiffness(210_000, 0.3) }], 70)
 * @throws RangeError when the layers are empty or not contiguous
 */
export function solveLayeredCylinder(
  layers: CylLayer[],
  pressureMPa: number,
  options: ThickCylinderOptions = {},
): ThickCylinderResult {
  const closedEnds = options.closedEnds ?? true;
  const samples = Math.max(3, (options.samplesPerLayer ?? 21) | 1);
  if (layers.length === 0) throw new RangeError('at least one layer is needed');
  for (let i = 0; i < layers.length; i++) {
    const l = layers[i];
    if (!(l.outerRadiusMm > l.innerRadiusMm && l.innerRadiusMm > 0)) throw new RangeError(`layer ${l.name}: radii out of order`);
    if (i > 0 && Math.abs(l.innerRadiusMm - layers[i - 1].outerRadiusMm) > 1e-9 * l.innerRadiusMm) {
      throw new RangeError(`layer ${l.name} does not start where ${layers[i - 1].name} ends`);
    }
  }
  const basis = layers.map((l) => new LayerBasis(l));
  const n = 2 * layers.length + 1;
  const E = n - 1;
  const M: number[][] = [];
  const rhs: number[] = [];
  const row = () => new Array<number>(n).fill(0);
  const put = (r: number[], layer: number, c: [number, number, number], sign = 1) => {
    r[2 * layer] += sign * c[0];
    r[2 * layer + 1] += sign * c[1];
    r[E] += sign * c[2];
  };
  // Bore: sigma_r = -p; outside: sigma_r = 0.
  let r0 = row(); put(r0, 0, basis[0].sigmaR(layers[0].innerRadiusMm)); M.push(r0); rhs.push(-pressureMPa);
  const last = layers.length - 1;
  r0 = row(); put(r0, last, basis[last].sigmaR(layers[last].outerRadiusMm)); M.push(r0); rhs.push(0);
  for (let i = 0; i < last; i++) {
    const rI = layers[i].outerRadiusMm;
    const ru = row(); put(ru, i, basis[i].u(rI)); put(ru, i + 1, basis[i + 1].u(rI), -1); M.push(ru); rhs.push(0);
    const rs = row(); put(rs, i, basis[i].sigmaR(rI)); put(rs, i + 1, basis[i + 1].sigmaR(rI), -1); M.push(rs); rhs.push(0);
  }
  // Axial equilibrium: 2 pi sum(int sigma_z r dr) = pi a^2 p (closed) or 0 (open).
  const ra = row();
  basis.forEach((b, i) => put(ra, i, b.axialForce()));
  M.push(ra);
  rhs.push(closedEnds ? (pressureMPa * layers[0].innerRadiusMm ** 2) / 2 : 0);

  const x = solveLinear(M, rhs);
  const eps0 = x[E];
  const out: CylLayerResult[] = basis.map((b, i) => {
    const A = x[2 * i];
    const B = x[2 * i + 1];
    const { innerRadiusMm: a, outerRadiusMm: c } = b.layer;
    const radiiMm = Array.from({ length: samples }, (_, j) => a + ((c - a) * j) / (samples - 1));
    const sigmaRMPa = radiiMm.map((r) => dot3(b.sigmaR(r), A, B, eps0));
    const sigmaThetaMPa = radiiMm.map((r) => dot3(b.sigmaT(r), A, B, eps0));
    const sigmaZMPa = radiiMm.map((r) => dot3(b.sigmaZ(r), A, B, eps0));
    const peakHoopMPa = sigmaThetaMPa.reduce((m, s) => (Math.abs(s) > Math.abs(m) ? s : m), 0);
    return {
      name: b.layer.name, radiiMm, sigmaRMPa, sigmaThetaMPa, sigmaZMPa,
      meanHoopMPa: simpsonMean(sigmaThetaMPa), meanAxialMPa: simpsonMean(sigmaZMPa), peakHoopMPa,
    };
  });
  return { axialStrain: eps0, boreDisplacementMm: dot3(basis[0].u(layers[0].innerRadiusMm), x[0], x[1], eps0), layers: out };
}
