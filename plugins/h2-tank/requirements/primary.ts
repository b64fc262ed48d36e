/**
 * The two primary values, working pressure and capacity, resolved from text,
 * structured fields and clarifications. They are never guessed: a missing,
 * contradictory, unreadable or out-of-range value becomes a question.
 */
import type { RequirementsDraft } from './input.ts';
import { h2DensityKgM3, RESIDUAL_PRESSURE_MPA, storedFromUsableKg, storedInVolumeKg } from './h2-density.ts';
import {
  capacityDoesNotFit,
  contradictoryCapacity,
  contradictoryPressure,
  missingCapacity,
  missingPressure,
  notPositive,
  outOfRange,
  unreadable,
  type RequirementsIssue,
} from './questions.ts';
import { distinctValues, findMasses, findPressures, findVolumes, parseCapacityValue, parsePressureValue, type Hit, type MassHit, type PressureHit } from './units.ts';

/** Where the primary values may come from; `text` is already normalised. */
export interface PrimarySources {
  text: string;
  structured?: RequirementsDraft;
  clarifications: Record<string, string | number>;
}

/** A resolved value with the notes (assumptions) it needs, or the question to ask. */
export type Resolved<T> = { ok: true; value: T; notes: string[] } | { ok: false; issue: RequirementsIssue };

/** Upper bounds of the Requirements schema (schemas.ts). */
const MAX_PRESSURE_MPA = 200;
const MAX_H2_KG = 500;
const MAX_WATER_L = 100_000;
/** A stated mass may exceed what the stated volume holds by rounding only. */
const FIT_TOLERANCE = 1.02;

const fmt = (x: number, digits = 2): string => String(Number(x.toFixed(digits)));

/**
 * Resolves the nominal working pressure, MPa. A clarification wins; otherwise every
 * working pressure stated in text and structured fields must agree (1 %).
 */
export function resolvePressure(src: PrimarySources): Resolved<number> {
  const notes: string[] = [];
  let hits: PressureHit[];
  const clarified = src.clarifications['pressure'];
  if (clarified !== undefined) {
    const hit = parsePressureValue(clarified);
    if (hit === undefined) return { ok: false, issue: unreadable('pressure', clarified) };
    hits = [hit];
    notes.push(`Working pressure ${hit.raw} as clarified`);
  } else {
    const found = findPressures(src.text);
    for (const h of found.filter((f) => f.role === 'other')) notes.push(`'${h.raw}' read as a burst, test or maximum operating figure, not the working pressure`);
    hits = found.filter((f) => f.role === 'working');
    const s = src.structured;
    if (s?.pressureMPa !== undefined) hits.push({ value: s.pressureMPa, raw: `${s.pressureMPa} MPa`, index: Infinity, role: 'working' });
    if (s?.pressure !== undefined) {
      const hit = parsePressureValue(s.pressure);
      if (hit === undefined) return { ok: false, issue: unreadable('pressure', s.pressure) };
      hits.push(hit);
    }
  }
  const nonPositive = hits.find((h) => h.value <= 0);
  if (nonPositive) return { ok: false, issue: notPositive('pressure', nonPositive.raw.startsWith('-') ? nonPositive.raw : `${nonPositive.value < 0 ? '-' : ''}${nonPositive.raw}`) };
  const distinct = distinctValues(hits);
  if (distinct.length === 0) return { ok: false, issue: missingPressure() };
  if (distinct.length > 1) return { ok: false, issue: contradictoryPressure(distinct.map((h) => ({ raw: h.raw, mpa: h.value }))) };
  const hit = distinct[0]!;
  if (hit.value > MAX_PRESSURE_MPA) return { ok: false, issue: outOfRange('pressure', hit.raw, `0-${MAX_PRESSURE_MPA} MPa`) };
  const snapped = hits.find((h) => h.snappedFrom !== undefined);
  if (snapped) notes.push(`'${snapped.raw}' (${snapped.snappedFrom} MPa) read as the ${snapped.value} MPa (H${snapped.value}) pressure class`);
  return { ok: true, value: hit.value, notes };
}

/** Capacity as the Requirements schema holds it. */
export interface Capacity {
  h2MassKg?: number;
  waterVolumeL?: number;
}

/**
 * Resolves the capacity: H2 mass stored at NWP and 15 C and/or water volume. A usable
 * mass is turned into a stored mass (drawn down to a 2 MPa residual [T]); a stated
 * mass the stated volume cannot hold at NWP and 15 C is a contradiction.
 */
export function resolveCapacity(src: PrimarySources, pressureMPa: number): Resolved<Capacity> {
  const notes: string[] = [];
  let masses: MassHit[] = [];
  let volumes: Hit[] = [];
  const clarified = src.clarifications['capacity'];
  if (clarified !== undefined) {
    const value = parseCapacityValue(clarified);
    if (value === undefined) return { ok: false, issue: unreadable('capacity', clarified) };
    if (value.kind === 'mass') masses = [value.hit];
    else volumes = [value.hit];
    notes.push(`Capacity ${value.hit.raw} as clarified`);
  } else {
    const found = findMasses(src.text);
    for (const h of found.filter((f) => f.limit)) notes.push(`'${h.raw}' read as a limit on the tank's own mass, not a capacity; the mass objective covers it`);
    masses = found.filter((f) => !f.limit);
    volumes = findVolumes(src.text);
    const s = src.structured;
    if (s?.h2MassKg !== undefined) masses.push({ value: s.h2MassKg, raw: `${s.h2MassKg} kg`, index: Infinity, usable: false, limit: false });
    if (s?.waterVolumeL !== undefined) volumes.push({ value: s.waterVolumeL, raw: `${s.waterVolumeL} L`, index: Infinity });
    if (s?.capacity !== undefined) {
      const value = parseCapacityValue(s.capacity);
      if (value === undefined) return { ok: false, issue: unreadable('capacity', s.capacity) };
      if (value.kind === 'mass') masses.push(value.hit);
      else volumes.push(value.hit);
    }
  }
  const nonPositive = [...masses, ...volumes].find((h) => h.value <= 0);
  if (nonPositive) return { ok: false, issue: notPositive('capacity', `${nonPositive.value < 0 && !nonPositive.raw.startsWith('-') ? '-' : ''}${nonPositive.raw}`) };
  const stored = masses.filter((m) => !m.usable);
  const usable = masses.filter((m) => m.usable);
  if (stored.length > 0 && usable.length > 0) {
    notes.push(`Usable ${usable.map((u) => u.raw).join(', ')} noted; the stored ${stored[0]!.raw} sizes the tank`);
  }
  const massHits = distinctValues(
    stored.length > 0 ? stored : usable.map((u) => ({ ...u, value: Number(storedFromUsableKg(u.value, pressureMPa).toFixed(2)) })),
  );
  const volumeHits = distinctValues(volumes);
  if (massHits.length > 1) return { ok: false, issue: contradictoryCapacity(massHits.map((m) => m.raw)) };
  if (volumeHits.length > 1) return { ok: false, issue: contradictoryCapacity(volumeHits.map((v) => v.raw)) };
  const mass = massHits[0];
  const volume = volumeHits[0];
  if (mass === undefined && volume === undefined) return { ok: false, issue: missingCapacity() };
  if (mass !== undefined && mass.value > MAX_H2_KG) return { ok: false, issue: outOfRange('capacity', mass.raw, `the ${MAX_H2_KG} kg of H2`) };
  if (volume !== undefined && volume.value > MAX_WATER_L) return { ok: false, issue: outOfRange('capacity', volume.raw, `the ${MAX_WATER_L} L water volume`) };

  if (mass !== undefined) {
    if (mass.usable) {
      notes.push(
        `${mass.raw} usable read as ${fmt(mass.value)} kg stored at NWP and 15 C: drawn down to a ${RESIDUAL_PRESSURE_MPA} MPa residual [T] ` +
          `(H2 at 15 C: ${fmt(h2DensityKgM3(pressureMPa, 15))} kg/m3 at NWP, ${fmt(h2DensityKgM3(RESIDUAL_PRESSURE_MPA, 15))} kg/m3 at the residual; Lemmon 2008)`,
      );
    } else {
      notes.push(`Capacity ${mass.raw} read as H2 stored at NWP and 15 C`);
    }
  }
  if (volume !== undefined) {
    const holds = storedInVolumeKg(volume.value, pressureMPa);
    if (mass !== undefined && mass.value > holds * FIT_TOLERANCE) {
      return { ok: false, issue: capacityDoesNotFit(mass.raw, volume.raw, pressureMPa, holds) };
    }
    notes.push(
      mass === undefined
        ? `Capacity given as ${volume.raw} water volume: it holds ${fmt(holds)} kg of H2 at ${fmt(pressureMPa)} MPa and 15 C (Lemmon 2008)`
        : `Both ${mass.raw} of H2 and ${volume.raw} water volume stated; both kept (the volume holds ${fmt(holds)} kg at NWP and 15 C)`,
    );
  }
  return {
    ok: true,
    value: { ...(mass !== undefined ? { h2MassKg: mass.value } : {}), ...(volume !== undefined ? { waterVolumeL: volume.value } : {}) },
    notes,
  };
}
