/**
 * Rules-based reading of hydrogen-tank requirements: plain English and/or a
 * structured object, plus clarifications, into a validated `Requirements`.
 * Pure and deterministic; no LLM here (the stage adds it for what the rules could
 * not read). Primary values are never guessed: the outcome carries the question.
 */
import { APPLICATIONS, MARKETS, PRIORITIES, Requirements, STANDARDS, type Application, type Priority, type Standard, type StatedChoices } from '../schemas.ts';
import { assumedApplication, marketNote, temperatureNote } from './defaults.ts';
import { findEnvelope } from './envelope.ts';
import { CLARIFIABLE_FIELDS, type ParseRequirementsInput, type RequirementsDraft } from './input.ts';
import { resolveCapacity, resolvePressure, type PrimarySources } from './primary.ts';
import { ambiguousTankType, incompatibleChoice, invertedTemperature, unreadable, type RequirementsIssue } from './questions.ts';
import { readMaterials, readTankType, readTankTypeValue, typesFor } from './stated.ts';
import { findTemperatures, parseTemperatureValue } from './temperature.ts';
import { numberWordsToFigures } from './number-words.ts';
import { normalizeText } from './units.ts';
import { readApplication, readMarkets, readPriorities, readStandards } from './vocabulary.ts';

type Market = Requirements['market'];

/** A field the rules could not read, which an LLM may be asked about, and the assumption that filled it. */
export interface Unread {
  field: 'application';
  /** The assumption sentence in `requirements.assumptions` that an LLM answer replaces. */
  assumption: string;
}

/**
 * The result of reading requirements: typed requirements (with the fields the rules
 * could not read, already filled by a stated assumption), or the question to ask.
 */
export type ParseOutcome =
  | { ok: true; requirements: Requirements; unread: Unread[] }
  | { ok: false; issue: RequirementsIssue };

/** An application word or enum value, read with the same synonyms as text. */
export function readApplicationValue(value: string): Application | undefined {
  const v = value.trim().toLowerCase();
  return (APPLICATIONS as readonly string[]).includes(v) ? (v as Application) : readApplication(normalizeText(value))?.application;
}

function readMarketValue(value: string): Market | undefined {
  const exact = MARKETS.find((m) => m.toLowerCase() === value.trim().toLowerCase());
  if (exact) return exact;
  const named = readMarkets(normalizeText(value));
  return named.length === 1 ? named[0]!.market : undefined;
}

function readListValues<T extends string>(values: string[], enumValues: readonly T[], reader: (text: string) => T[], what: string, notes: string[]): T[] {
  const out: T[] = [];
  for (const value of values) {
    const exact = enumValues.find((e) => e.toLowerCase() === value.trim().toLowerCase());
    const read = exact ? [exact] : reader(normalizeText(value));
    if (read.length === 0) notes.push(`${what} '${value}' is not one this workflow knows; ignored`);
    for (const r of read) if (!out.includes(r)) out.push(r);
  }
  return out;
}

function resolveApplication(
  text: string, s: RequirementsDraft | undefined, clarified: string | number | undefined, pressureMPa: number, notes: string[],
): { application: Application; unread?: Unread; stated?: StatedChoices['application'] } {
  for (const [value, source] of [[clarified, 'clarification'], [s?.application, 'structured application']] as const) {
    if (value === undefined) continue;
    const read = readApplicationValue(String(value));
    if (read) return { application: read, stated: { value: read, words: String(value) } };
    notes.push(`The ${source} '${value}' is not a known application`);
  }
  const fromText = readApplication(text);
  if (fromText) return { application: fromText.application, stated: { value: fromText.application, words: fromText.word } };
  const assumed = assumedApplication(pressureMPa);
  notes.push(assumed.note);
  return { application: assumed.value, unread: { field: 'application', assumption: assumed.note } };
}

function resolveMarket(text: string, s: RequirementsDraft | undefined, clarified: string | number | undefined, notes: string[]): Market {
  for (const value of [clarified, s?.market]) {
    if (value === undefined) continue;
    const read = readMarketValue(String(value));
    if (read) return read;
    notes.push(`Market '${value}' is not a known market`);
  }
  const named = readMarkets(text);
  if (named.length === 1) return named[0]!.market;
  notes.push(marketNote(named.map((n) => n.market)));
  return 'global';
}

function resolveTemperature(
  text: string,
  s: RequirementsDraft | undefined,
  clarified: string | number | undefined,
  application: Application,
  notes: string[],
): { ok: true; value: { min: number; max: number } } | { ok: false; issue: RequirementsIssue } {
  const fromText = findTemperatures(text);
  let stated: { min?: number; max?: number } = { min: fromText.min, max: fromText.max };
  if (fromText.fahrenheit) notes.push(`Temperatures read from Fahrenheit: ${fromText.raw.join(', ')} taken as ${stated.min ?? '?'} to ${stated.max ?? '?'} C`);
  if (s?.temperatureC) stated = { min: s.temperatureC.min ?? stated.min, max: s.temperatureC.max ?? stated.max };
  if (clarified !== undefined) {
    const read = parseTemperatureValue(clarified);
    if (read === undefined) return { ok: false, issue: unreadable('temperature', clarified) };
    stated = { min: read.min ?? stated.min, max: read.max ?? stated.max };
  }
  if (stated.min !== undefined && stated.max !== undefined && stated.min > stated.max) {
    return { ok: false, issue: invertedTemperature(stated.min, stated.max) };
  }
  const assumed = temperatureNote(stated, application);
  if (assumed) notes.push(assumed.note);
  return { ok: true, value: assumed?.value ?? { min: stated.min!, max: stated.max! } };
}

/**
 * The tank type and materials the requester named (clarification > structured > text).
 * A clarified value is confirmed: it settles a contradiction or a safety question.
 */
function resolveStated(
  text: string, s: RequirementsDraft | undefined, clarifications: Record<string, string | number>, notes: string[],
): { ok: true; value: Pick<StatedChoices, 'tankType' | 'liner' | 'fiber'> } | { ok: false; issue: RequirementsIssue } {
  const out: Pick<StatedChoices, 'tankType' | 'liner' | 'fiber'> = {};
  const clarifiedType = clarifications['tankType'];
  const typeValue = clarifiedType ?? s?.tankType;
  if (typeValue !== undefined) {
    const read = readTankTypeValue(typeValue);
    if (read === undefined) notes.push(`Tank type '${typeValue}' is not one of I, II, III, IV; ignored`);
    else out.tankType = { value: read, words: /type/i.test(String(typeValue)) ? String(typeValue) : `Type ${read}`, ...(clarifiedType !== undefined ? { confirmed: true } : {}) };
  } else {
    const read = readTankType(text);
    if (read && 'ambiguous' in read) return { ok: false, issue: ambiguousTankType(read.ambiguous) };
    if (read) out.tankType = read;
  }
  const clarifiedMaterial = clarifications['material'];
  const materialText = clarifiedMaterial !== undefined ? String(clarifiedMaterial) : s?.material ?? text;
  const materials = readMaterials(materialText);
  if (clarifiedMaterial !== undefined || s?.material !== undefined) {
    if (materials.liner === undefined && materials.fiber === undefined) notes.push(`Material '${materialText}' names no liner or fiber this workflow knows; ignored`);
  }
  const confirmed = clarifiedMaterial !== undefined ? { confirmed: true } : {};
  if (materials.liner) out.liner = { ...materials.liner, ...confirmed };
  if (materials.fiber) out.fiber = { ...materials.fiber, ...confirmed };
  const words = [out.liner?.words, out.fiber?.words].filter((w, i, a): w is string => w !== undefined && a.indexOf(w) === i).join(' and ');
  if (out.tankType && (out.liner || out.fiber)) {
    const fits = typesFor({ liner: out.liner?.value, fiber: out.fiber?.value });
    if (!fits.includes(out.tankType.value)) {
      if (out.tankType.confirmed && !out.liner?.confirmed && !out.fiber?.confirmed) {
        notes.push(`${words} not kept: Type ${out.tankType.value} was confirmed, and it ${fits.length ? `is not Type ${fits.join(' or ')}` : 'does not fit'}`);
        delete out.liner;
        delete out.fiber;
      } else if (out.liner?.confirmed || out.fiber?.confirmed) {
        if (!out.tankType.confirmed) {
          notes.push(`${out.tankType.words} not kept: the material ${words} was confirmed`);
          delete out.tankType;
        } else return { ok: false, issue: incompatibleChoice(out.tankType, words, fits) };
      } else return { ok: false, issue: incompatibleChoice(out.tankType, words, fits) };
    }
  }
  if (out.tankType) notes.push(`Tank type ${out.tankType.value} named by the requester ("${out.tankType.words}"): binding`);
  if (words) notes.push(`Material named by the requester ("${words}"): binding`);
  return { ok: true, value: out };
}

/**
 * Reads requirements. Precedence per field: clarification > structured > text.
 * @example parseRequirements({ text: 'I need a 70 MPa hydrogen tank for automotive use, 5 kg capacity' })
 * // { ok: true, requirements: { pressureMPa: 70, h2MassKg: 5, application: 'automotive', market: 'global', ... } }
 * @example parseRequirements({ text: '5 kg tank for a bus' })
 * // { ok: false, issue: { code: 'requirements_incomplete', field: 'pressure', question: 'What nominal working pressure ...' } }
 */
export function parseRequirements(input: ParseRequirementsInput): ParseOutcome {
  const normalized = normalizeText(input.text ?? '');
  const text = numberWordsToFigures(normalized);
  const s = input.structured;
  const clarifications = input.clarifications ?? {};
  const notes: string[] = [];
  if (text !== normalized) notes.push(`Numbers written as words read as figures: '${normalized}' read as '${text}'`);
  for (const key of Object.keys(clarifications)) {
    if (!(CLARIFIABLE_FIELDS as readonly string[]).includes(key)) notes.push(`Clarification '${key}' is not a requirements field; ignored`);
  }
  const sources: PrimarySources = { text, structured: s, clarifications };
  const pressure = resolvePressure(sources);
  if (!pressure.ok) return pressure;
  const capacity = resolveCapacity(sources, pressure.value);
  if (!capacity.ok) return capacity;
  notes.push(...pressure.notes, ...capacity.notes);

  const { application, unread, stated: statedApplication } = resolveApplication(text, s, clarifications['application'], pressure.value, notes);
  const stated = resolveStated(text, s, clarifications, notes);
  if (!stated.ok) return stated;
  const statedChoices: StatedChoices = { ...stated.value, ...(statedApplication ? { application: statedApplication } : {}) };
  const market = resolveMarket(text, s, clarifications['market'], notes);
  const temperature = resolveTemperature(text, s, clarifications['temperature'], application, notes);
  if (!temperature.ok) return temperature;

  const read = findEnvelope(text);
  const envelope = {
    ...(s?.envelope?.maxLengthMm ?? read.maxLengthMm ? { maxLengthMm: s?.envelope?.maxLengthMm ?? read.maxLengthMm } : {}),
    ...(s?.envelope?.maxDiameterMm ?? read.maxDiameterMm ? { maxDiameterMm: s?.envelope?.maxDiameterMm ?? read.maxDiameterMm } : {}),
  };
  if (envelope.maxLengthMm === undefined && envelope.maxDiameterMm === undefined) notes.push('No size envelope stated: length and diameter are free');

  const standards: Standard[] = readListValues(s?.standards ?? [], STANDARDS, readStandards, 'Standard', notes);
  for (const st of readStandards(text)) if (!standards.includes(st)) standards.push(st);
  if (standards.length === 0) notes.push('No standard named: the standards follow from application and market');
  const priorities: Priority[] = readListValues(s?.priorities ?? [], PRIORITIES, readPriorities, 'Priority', notes);
  for (const p of readPriorities(text)) if (!priorities.includes(p)) priorities.push(p);

  const requirements = Requirements.parse({
    pressureMPa: pressure.value,
    ...capacity.value,
    application,
    market,
    temperatureC: temperature.value,
    envelope,
    standards,
    priorities,
    assumptions: notes,
    ...(Object.keys(statedChoices).length > 0 ? { stated: statedChoices } : {}),
    parsedBy: input.text !== undefined ? 'rules' : 'structured',
    ...(input.text !== undefined ? { text: input.text } : {}),
  });
  return { ok: true, requirements, unread: unread ? [unread] : [] };
}
