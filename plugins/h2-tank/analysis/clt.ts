/**
 * Classical lamination theory for the membrane state of a pressurised cylinder wall.
 *
 * Plane stress per layer; in-plane axes x = cylinder axis, y = hoop. Only the
 * extensional stiffness A = sum Qbar_k t_k is used: away from the domes the
 * axisymmetric cylinder carries membrane loads (N_x, N_y), and the bending-extension
 * coupling of an unsymmetric stack (liner + plies) is restrained by the closed shell,
 * so eps0 = A^-1 N (Jones, "Mechanics of Composite Materials", 2nd ed., ch. 4; standard
 * practice for filament-wound cylinders). Units: MPa, mm, N/mm.
 */

/** An orthotropic ply at `angleDeg` from the cylinder axis. */
export interface PlyLayer {
  kind: 'ply';
  name: string;
  angleDeg: number;
  thicknessMm: number;
  E1MPa: number;
  E2MPa: number;
  G12MPa: number;
  nu12: number;
}

/** An isotropic layer (a liner). */
export interface IsoLayer {
  kind: 'iso';
  name: string;
  thicknessMm: number;
  EMPa: number;
  nu: number;
}

export type CltLayer = PlyLayer | IsoLayer;

/** Membrane strains of the laminate. */
export interface MembraneStrain {
  epsX: number;
  epsY: number;
  gammaXY: number;
}

/** Stresses in one layer: global (x axial, y hoop) and, for plies, material axes (1 fiber, 2 transverse). */
export interface LayerStress {
  name: string;
  sigmaXMPa: number;
  sigmaYMPa: number;
  tauXYMPa: number;
  sigma1MPa: number;
  sigma2MPa: number;
  tau12MPa: number;
}

type Mat3 = [[number, number, number], [number, number, number], [number, number, number]];
type Vec3 = [number, number, number];

/** Reduced stiffness Q in material axes. */
function reducedStiffness(l: CltLayer): Mat3 {
  if (l.kind === 'iso') {
    const d = l.EMPa / (1 - l.nu * l.nu);
    return [[d, l.nu * d, 0], [l.nu * d, d, 0], [0, 0, l.EMPa / (2 * (1 + l.nu))]];
  }
  const nu21 = (l.nu12 * l.E2MPa) / l.E1MPa;
  const den = 1 - l.nu12 * nu21;
  return [
    [l.E1MPa / den, (l.nu12 * l.E2MPa) / den, 0],
    [(l.nu12 * l.E2MPa) / den, l.E2MPa / den, 0],
    [0, 0, l.G12MPa],
  ];
}

/** Transformed stiffness Qbar of a layer in (x, y) axes (Jones eq. 2.84). */
export function transformedStiffness(l: CltLayer): Mat3 {
  const Q = reducedStiffness(l);
  if (l.kind === 'iso') return Q;
  const th = (l.angleDeg * Math.PI) / 180;
  const m = Math.cos(th);
  const n = Math.sin(th);
  const [Q11, Q12, Q22, Q66] = [Q[0][0], Q[0][1], Q[1][1], Q[2][2]];
  const m2 = m * m, n2 = n * n, m4 = m2 * m2, n4 = n2 * n2, mn2 = m2 * n2;
  const Qb11 = Q11 * m4 + 2 * (Q12 + 2 * Q66) * mn2 + Q22 * n4;
  const Qb22 = Q11 * n4 + 2 * (Q12 + 2 * Q66) * mn2 + Q22 * m4;
  const Qb12 = (Q11 + Q22 - 4 * Q66) * mn2 + Q12 * (m4 + n4);
  const Qb66 = (Q11 + Q22 - 2 * Q12 - 2 * Q66) * mn2 + Q66 * (m4 + n4);
  const Qb16 = (Q11 - Q12 - 2 * Q66) * m2 * m * n + (Q12 - Q22 + 2 * Q66) * m * n2 * n;
  const Qb26 = (Q11 - Q12 - 2 * Q66) * m * n2 * n + (Q12 - Q22 + 2 * Q66) * m2 * m * n;
  return [[Qb11, Qb12, Qb16], [Qb12, Qb22, Qb26], [Qb16, Qb26, Qb66]];
}

function mul(M: Mat3, v: Vec3): Vec3 {
  return [
    M[0][0] * v[0] + M[0][1] * v[1] + M[0][2] * v[2],
    M[1][0] * v[0] + M[1][1] * v[1] + M[1][2] * v[2],
    M[2][0] * v[0] + M[2][1] * v[1] + M[2][2] * v[2],
  ];
}

/** Solves a 3x3 system by Cramer's rule. @throws RangeError when singular. */
function solve3(M: Mat3, b: Vec3): Vec3 {
  const det = (a: Mat3) =>
    a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) -
    a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0]) +
    a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
  const D = det(M);
  if (!(Math.abs(D) > 0)) throw new RangeError('laminate stiffness matrix is singular');
  const col = (j: number): Mat3 => M.map((row, i) => row.map((x, k) => (k === j ? b[i] : x))) as Mat3;
  return [det(col(0)) / D, det(col(1)) / D, det(col(2)) / D];
}

/** Extensional stiffness A = sum Qbar_k t_k, N/mm. */
export function extensionalStiffness(layers: CltLayer[]): Mat3 {
  const A: Mat3 = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
  for (const l of layers) {
    const Qb = transformedStiffness(l);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) A[i][j] += Qb[i][j] * l.thicknessMm;
  }
  return A;
}

/** Membrane strains under line loads N_x, N_y (N/mm), no shear load. */
export function membraneStrain(layers: CltLayer[], nxNPerMm: number, nyNPerMm: number): MembraneStrain {
  const [epsX, epsY, gammaXY] = solve3(extensionalStiffness(layers), [nxNPerMm, nyNPerMm, 0]);
  return { epsX, epsY, gammaXY };
}

/** Stresses in each layer for given membrane strains. */
export function layerStresses(layers: CltLayer[], strain: MembraneStrain): LayerStress[] {
  const eps: Vec3 = [strain.epsX, strain.epsY, strain.gammaXY];
  return layers.map((l) => {
    const [sx, sy, txy] = mul(transformedStiffness(l), eps);
    if (l.kind === 'iso') return { name: l.name, sigmaXMPa: sx, sigmaYMPa: sy, tauXYMPa: txy, sigma1MPa: sx, sigma2MPa: sy, tau12MPa: txy };
    const th = (l.angleDeg * Math.PI) / 180;
    const m = Math.cos(th);
    const n = Math.sin(th);
    return {
      name: l.name,
      sigmaXMPa: sx,
      sigmaYMPa: sy,
      tauXYMPa: txy,
      sigma1MPa: m * m * sx + n * n * sy + 2 * m * n * txy,
      sigma2MPa: n * n * sx + m * m * sy - 2 * m * n * txy,
      tau12MPa: -m * n * sx + m * n * sy + (m * m - n * n) * txy,
    };
  });
}

/**
 * Membrane line loads of a closed-end cylinder, N/mm. Hoop: N_y = p R_i (exact hoop
 * equilibrium of the wall loaded on its bore). Axial: N_x = p R_i^2 / (2 R_mid), the end
 * cap force spread over the mid-wall circumference; both reduce to pR and pR/2 when thin.
 */
export function cylinderLineLoads(pressureMPa: number, boreRadiusMm: number, midWallRadiusMm: number): { nxNPerMm: number; nyNPerMm: number } {
  return {
    nxNPerMm: (pressureMPa * boreRadiusMm * boreRadiusMm) / (2 * midWallRadiusMm),
    nyNPerMm: pressureMPa * boreRadiusMm,
  };
}
