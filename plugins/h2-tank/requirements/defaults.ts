/**
 * Defaults for secondary requirements that were not stated. Each default comes with
 * the sentence that states it as an assumption, so the design package says what was
 * assumed and on what basis.
 */
import type { Application } from '../schemas.ts';

/** A filled-in value and the assumption sentence that explains it. */
export interface Assumed<T> {
  value: T;
  note: string;
}

/** Applications that are road vehicles in the sense of GTR 13 / UN R134. */
const ROAD: readonly Application[] = ['automotive', 'bus', 'truck'];

/**
 * The service temperature range assumed when none is stated, C.
 * - road vehicles: -40 to +85 C, GTR 13 / UN R134 [R] (H2_REFERENCE compliance table);
 * - transport and industrial (transportable cylinders, tubes, tube trailers): -40 to +65 C,
 *   ISO 11119-3 [R];
 * - stationary, rail, marine, aerospace: the same -40 to +85 C container envelope
 *   (ISO 19881 as the EU column [R]); fast-fill heating reaches 85 C in any of them.
 */
export function defaultTemperature(application: Application): { min: number; max: number; basis: string } {
  if (ROAD.includes(application)) return { min: -40, max: 85, basis: 'per GTR 13 for vehicles [R]' };
  if (application === 'transport' || application === 'industrial') return { min: -40, max: 65, basis: 'per ISO 11119-3 for transportable cylinders [R]' };
  return { min: -40, max: 85, basis: 'per the GTR 13 / ISO 19881 container envelope, which covers fast-fill heating to 85 C [R]' };
}

const signed = (x: number): string => (x > 0 ? `+${x}` : String(x));

/**
 * The assumption sentence for a temperature range where one or both ends were not stated.
 * @example temperatureNote({}, 'automotive') // 'Service temperature not stated: assumed -40 to +85 C per GTR 13 for vehicles [R]'
 */
export function temperatureNote(stated: { min?: number; max?: number }, application: Application): Assumed<{ min: number; max: number }> | undefined {
  const d = defaultTemperature(application);
  if (stated.min !== undefined && stated.max !== undefined) return undefined;
  const value = { min: stated.min ?? d.min, max: stated.max ?? d.max };
  if (stated.min === undefined && stated.max === undefined) {
    return { value, note: `Service temperature not stated: assumed ${d.min} to ${signed(d.max)} C ${d.basis}` };
  }
  if (stated.min === undefined) return { value, note: `Minimum service temperature not stated: assumed ${d.min} C ${d.basis}` };
  return { value, note: `Maximum service temperature not stated: assumed ${signed(d.max)} C ${d.basis}` };
}

/**
 * The application assumed when the request names none and no LLM could read it.
 * By pressure class: 70 MPa is the SAE J2601 H70 light-duty fuelling pressure [R];
 * 25-60 MPa (H35) is the heavy-duty vehicle class [R]; lower pressures are
 * ground storage (20 MPa steel tubes and banks [T]).
 */
export function assumedApplication(pressureMPa: number): Assumed<Application> {
  if (pressureMPa >= 60) {
    return { value: 'automotive', note: `Application not stated: assumed automotive, since ${pressureMPa} MPa is the H70 light-duty vehicle class (SAE J2601) [R]` };
  }
  if (pressureMPa >= 25) {
    return { value: 'truck', note: `Application not stated: assumed truck, since ${pressureMPa} MPa is the H35 heavy-duty vehicle class (SAE J2601) [R]` };
  }
  return { value: 'stationary', note: `Application not stated: assumed stationary storage, since ${pressureMPa} MPa is a ground-storage pressure [T]` };
}

/** The assumption sentence when no market was named, or several were. */
export function marketNote(named: string[]): string {
  return named.length === 0
    ? 'Market not stated: assumed global (GTR 13 / UN R134 baseline)'
    : `Several markets named (${named.join(', ')}): designed for global (GTR 13 / UN R134 baseline)`;
}
