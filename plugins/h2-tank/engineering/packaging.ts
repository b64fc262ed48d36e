/**
 * Packaging: where the tanks must fit. Vehicles package long cylinders in a given
 * space, so a free optimiser that drifts to one near-spherical tank (netting fiber mass
 * is 3 Pb V rho_f / sf whatever the proportions) gives a tank no one can install.
 *
 * Default envelopes per application (H2_REFERENCE.md "What makes a design buildable"):
 * a stated assumption when the request gives none; the request's own limits override,
 * one dimension at a time. The tank count range is part of the envelope.
 */
import type { Application, Packaging, Requirements } from '../schemas.ts';

/** A default envelope: largest tank OD and length, mm (null: none), tank count range, basis. */
export interface DefaultEnvelope {
  maxDiameterMm: number | null;
  maxLengthMm: number | null;
  minCount: number;
  maxCount: number;
  basis: string;
}

/**
 * Defaults per application. Rows from H2_REFERENCE.md; `industrial` (gas cylinders and
 * bundles) is this project's row: standard cylinders are 140-267 mm OD and up to about
 * 1.9 m long, racked in bundles of up to 12 [T]. Aerospace says "ask": no default limit.
 */
export const DEFAULT_ENVELOPES: Readonly<Record<Application, DefaultEnvelope>> = {
  automotive: { maxDiameterMm: 400, maxLengthMm: 1500, minCount: 1, maxCount: 4, basis: 'car: Kautex 70 MPa D260 x 588 mm; NGT-BIT D422 x 500 mm (DLR tankoh2) [S]' },
  bus: { maxDiameterMm: 450, maxLengthMm: 2600, minCount: 1, maxCount: 10, basis: 'bus roof height budget [T]' },
  truck: { maxDiameterMm: 550, maxLengthMm: 2500, minCount: 1, maxCount: 10, basis: '2.55 m vehicle width [T]' },
  rail: { maxDiameterMm: 550, maxLengthMm: 3000, minCount: 1, maxCount: 16, basis: 'rail [T]' },
  marine: { maxDiameterMm: 600, maxLengthMm: 5800, minCount: 1, maxCount: 16, basis: 'tkms 70 MPa D590 x 4,500 mm (tankoh2) [S]' },
  aerospace: { maxDiameterMm: null, maxLengthMm: null, minCount: 1, maxCount: 4, basis: 'aerospace: no default envelope, ask' },
  stationary: { maxDiameterMm: 600, maxLengthMm: 11800, minCount: 1, maxCount: 20, basis: 'EN 17339 tubes <= 3,000 L; 40 ft container [T]' },
  transport: { maxDiameterMm: 600, maxLengthMm: 11800, minCount: 1, maxCount: 20, basis: 'EN 17339 tubes <= 3,000 L; 40 ft container [T]' },
  industrial: { maxDiameterMm: 300, maxLengthMm: 2000, minCount: 1, maxCount: 12, basis: 'industrial gas cylinders 140-267 mm OD, bundles of up to 12 [T]' },
};

const mm = (x: number | null): string => (x === null ? 'no limit' : `${Math.round(x)} mm`);

/**
 * The packaging limits of a request: its own envelope where stated, the application's
 * default elsewhere, with the sentence that says which.
 * @example packagingFor({ ...req, application: 'automotive', envelope: {} }).maxDiameterMm // 400
 */
export function packagingFor(req: Pick<Requirements, 'application' | 'envelope'>): Packaging {
  const d = DEFAULT_ENVELOPES[req.application];
  const statedD = req.envelope.maxDiameterMm;
  const statedL = req.envelope.maxLengthMm;
  const maxDiameterMm = statedD ?? d.maxDiameterMm;
  const maxLengthMm = statedL ?? d.maxLengthMm;
  const stated = (statedD !== undefined ? 1 : 0) + (statedL !== undefined ? 1 : 0);
  const source = stated === 2 ? 'request' : stated === 0 ? 'default' : 'mixed';
  const count = `${d.minCount}-${d.maxCount} tanks`;
  const note = source === 'request'
    ? `Envelope from the request: OD <= ${mm(maxDiameterMm)}, length <= ${mm(maxLengthMm)} per tank; ${count}`
    : `Envelope not stated${source === 'mixed' ? ' in full' : ''}: ${req.application} default OD <= ${mm(maxDiameterMm)}, length <= ${mm(maxLengthMm)} per tank, ${count} (${d.basis})` +
      (source === 'mixed' ? '; the stated limit overrides the default' : '');
  return { maxDiameterMm, maxLengthMm, minCount: d.minCount, maxCount: d.maxCount, source, note };
}
