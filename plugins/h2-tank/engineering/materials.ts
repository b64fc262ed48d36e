/**
 * The material table of the h2-tank designer: fibers, matrix and liners, with the
 * source of every figure. Labels follow H2_REFERENCE.md: [S] read from a published
 * source, [T] typical engineering value, [R] recalled, to be checked before a
 * compliance rule fails a design on it. Prices are USD/kg of raw material.
 */
import type { Fiber, Liner } from '../schemas.ts';
import { DELIVERED_STRESS_FACTOR } from './knockdowns.ts';

/** Where a figure comes from (H2_REFERENCE labels). */
export type SourceLabel = 'S' | 'T' | 'R';

/** One material's properties. Strength is the fiber/filament tensile strength for fibers, UTS for liners. */
export interface Material {
  name: string;
  kind: 'fiber' | 'matrix' | 'liner';
  tensileStrengthMPa: number;
  /** Yield strength, MPa (metals and thermoplastics). */
  yieldStrengthMPa?: number;
  modulusGPa: number;
  densityKgM3: number;
  priceUsdPerKg: number;
  /** Label of the mechanical figures. */
  source: SourceLabel;
  /** Label of the price. */
  priceSource: SourceLabel;
  /** Citation text for the figures. */
  citation: string;
}

/** A liner material plus the wall-thickness range it is made in. */
export interface LinerMaterial extends Material {
  kind: 'liner';
  /** Practical liner wall range, mm [T] unless stated. */
  thicknessRangeMm: readonly [number, number];
  /** True for metal liners that share the pressure load (Types I-III). */
  loadBearing: boolean;
}

/**
 * Delivered fiber stress / strand strength of a fiber in a wound vessel (about 0.70 for
 * T700S; knockdowns.ts DELIVERED_STRESS_FACTOR, H2_REFERENCE "CORRECTION"). The earlier
 * 0.8 was Tankinator's factor on a COMPOSITE strength and made tanks about 2x too light.
 * @example deliveredStressFactor('T700S') // 0.7
 */
export function deliveredStressFactor(fiber: Fiber): number {
  return DELIVERED_STRESS_FACTOR[fiber];
}

const REF = 'H2_REFERENCE.md Materials';

/** Fibers, keyed by the `Fiber` enum of schemas.ts. */
export const FIBER_MATERIALS: Readonly<Record<Fiber, Material>> = {
  T700S: {
    name: 'Toray T700S carbon fiber', kind: 'fiber', tensileStrengthMPa: 4900, modulusGPa: 230, densityKgM3: 1800,
    priceUsdPerKg: 25, source: 'S', priceSource: 'T',
    citation: `${REF}: Toray T700S datasheet [S]; price: carbon fiber 20-30 USD/kg [T], midpoint`,
  },
  T800S: {
    name: 'Toray T800S carbon fiber', kind: 'fiber', tensileStrengthMPa: 5880, modulusGPa: 294, densityKgM3: 1800,
    priceUsdPerKg: 45, source: 'R', priceSource: 'R',
    citation: `${REF}: T800S 5880 MPa, 294 GPa [R]; price: intermediate-modulus grade at about 1.8x the 20-30 USD/kg of T700-class carbon [R], to be checked`,
  },
  T1000G: {
    name: 'Toray T1000G carbon fiber', kind: 'fiber', tensileStrengthMPa: 6370, modulusGPa: 294, densityKgM3: 1800,
    priceUsdPerKg: 50, source: 'S', priceSource: 'R',
    citation: `${REF}: Toray T1000G [S]; price: high-strength premium over 20-30 USD/kg carbon [R], to be checked`,
  },
  'E-glass': {
    name: 'E-glass fiber', kind: 'fiber', tensileStrengthMPa: 3450, modulusGPa: 72, densityKgM3: 2580,
    priceUsdPerKg: 2.25, source: 'T', priceSource: 'T',
    citation: `${REF}: E-glass [T]; price: 1.5-3 USD/kg [T], midpoint`,
  },
  'aramid-K49': {
    name: 'Kevlar 49 aramid fiber', kind: 'fiber', tensileStrengthMPa: 3600, modulusGPa: 124, densityKgM3: 1440,
    priceUsdPerKg: 30, source: 'T', priceSource: 'R',
    citation: `${REF}: aramid K49 [T]; price: about carbon-fiber parity [R], to be checked`,
  },
};

/** The matrix (the `resin` literal of DesignBasis). */
export const EPOXY: Material = {
  name: 'Epoxy matrix', kind: 'matrix', tensileStrengthMPa: 70, modulusGPa: 3, densityKgM3: 1200,
  priceUsdPerKg: 6.5, source: 'T', priceSource: 'T',
  citation: `${REF}: epoxy 60-80 MPa (midpoint), 3 GPa, 1.20 g/cm3 [T]; price: 3-10 USD/kg [T], midpoint`,
};

/** Liners, keyed by the `Liner` enum of schemas.ts. */
export const LINER_MATERIALS: Readonly<Record<Liner, LinerMaterial>> = {
  HDPE: {
    name: 'HDPE liner', kind: 'liner', tensileStrengthMPa: 25, yieldStrengthMPa: 25, modulusGPa: 1, densityKgM3: 950,
    priceUsdPerKg: 2.06, source: 'T', priceSource: 'S', thicknessRangeMm: [3, 7], loadBearing: false,
    citation: `${REF}: HDPE yield 20-30 MPa (midpoint), 0.95 g/cm3 [T]; price 2.06 USD/kg [S]; wall 3-7 mm [T], about 4 mm in Tankinator [S]`,
  },
  PA6: {
    name: 'PA6 liner', kind: 'liner', tensileStrengthMPa: 75, yieldStrengthMPa: 75, modulusGPa: 2.75, densityKgM3: 1140,
    priceUsdPerKg: 3.5, source: 'T', priceSource: 'R', thicknessRangeMm: [2, 5], loadBearing: false,
    citation: `${REF}: PA6 70-80 MPa, 2.5-3 GPa (midpoints), 1.14 g/cm3 [T]; wall 2-5 mm [T]; price 3.5 USD/kg [R], to be checked`,
  },
  'Al6061-T6': {
    name: 'Al 6061-T6 liner', kind: 'liner', tensileStrengthMPa: 310, yieldStrengthMPa: 276, modulusGPa: 69, densityKgM3: 2700,
    priceUsdPerKg: 4.45, source: 'S', priceSource: 'S', thicknessRangeMm: [3, 10], loadBearing: true,
    citation: `${REF}: Al 6061-T6 UTS 310, yield 276 MPa, 69 GPa, 2.70 g/cm3 [S]; price 4.45 USD/kg [S]; wall >= 3 mm [S], <= 10 mm [T]`,
  },
  'steel-34CrMo4': {
    name: '34CrMo4 Q&T steel', kind: 'liner', tensileStrengthMPa: 950, yieldStrengthMPa: 800, modulusGPa: 210, densityKgM3: 7850,
    priceUsdPerKg: 2.75, source: 'R', priceSource: 'T', thicknessRangeMm: [2, 60], loadBearing: true,
    citation: `${REF}: UTS capped at 950 MPa for H2 service (ISO 11114-1) [R]; yield 800 MPa [R]; 7.85 g/cm3; price 2.5-3 USD/kg [T], midpoint; wall 2-60 mm [T]`,
  },
};

/** The fiber's record. @example fiberMaterial('T700S').tensileStrengthMPa // 4900 */
export function fiberMaterial(fiber: Fiber): Material {
  const m = FIBER_MATERIALS[fiber];
  if (m === undefined) throw new RangeError(`unknown fiber '${fiber}'; known: ${Object.keys(FIBER_MATERIALS).join(', ')}`);
  return m;
}

/** The liner's record. @example linerMaterial('HDPE').thicknessRangeMm // [3, 7] */
export function linerMaterial(liner: Liner): LinerMaterial {
  const m = LINER_MATERIALS[liner];
  if (m === undefined) throw new RangeError(`unknown liner '${liner}'; known: ${Object.keys(LINER_MATERIALS).join(', ')}`);
  return m;
}

/**
 * Delivered (allowable) fiber stress in a wound vessel, MPa: the grade's delivered
 * factor x strand strength (knockdowns.ts). @example allowableFiberStressMPa('T700S') // 3430
 */
export function allowableFiberStressMPa(fiber: Fiber): number {
  return deliveredStressFactor(fiber) * fiberMaterial(fiber).tensileStrengthMPa;
}
