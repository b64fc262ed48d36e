/**
 * design.json: the machine-readable record of a tank design run. Requirements,
 * assumptions, every decision with its explanation, the Pareto front, the chosen
 * design, analyses, compliance, validation and provenance, validated by
 * `DesignDocument` before it is written.
 */
import { z } from 'zod';
import { Design, DesignBasis, Requirements } from '../schemas.ts';
import type { DecisionRecord } from '../../../graph/decisions/types.ts';
import { StagegraphError } from '../../../nodes/errors.ts';

/** Mirrors `Evidence` of graph/decisions/types.ts. */
export const EvidenceSchema = z.object({
  ruleId: z.string(),
  dataPoint: z.string().optional(),
  clause: z.string().optional(),
  source: z.string().optional(),
});

/** Mirrors `Alternative` of graph/decisions/types.ts. */
export const AlternativeSchema = z.object({
  option: z.string(),
  reason: z.string(),
  ruleIds: z.array(z.string()).optional(),
});

/** Mirrors the `DecisionRecord` interface; `inputs` is any JSON object. */
export const DecisionRecordSchema = z.object({
  id: z.string(),
  point: z.string(),
  iteration: z.number().int().nonnegative(),
  chosen: z.string(),
  alternatives: z.array(AlternativeSchema),
  explanation: z.string(),
  evidence: z.array(EvidenceSchema),
  confidence: z.number().min(0).max(1),
  method: z.enum(['rule', 'llm', 'preference', 'default']),
  inputs: z.record(z.string(), z.unknown()),
  options: z.array(z.string()),
  notes: z.array(z.string()).optional(),
  decidedAt: z.string(),
});

// Compile-time proof that the schema and the interface describe the same record.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const decisionSchemaMatches: Same<z.infer<typeof DecisionRecordSchema>, DecisionRecord> = true;
void decisionSchemaMatches;

/** A limit or a measured value: a number, a [min, max] range, a text, or absent. */
const Quantity = z.union([z.number(), z.tuple([z.number(), z.number()]), z.string(), z.null()]);

/**
 * One compliance rule checked against the design (compliance/rules.ts writes them).
 * `verdict` is "pass", "fail" or "not-assessable"; further fields (rule kind, source)
 * are kept as they come.
 */
export const ComplianceRule = z.looseObject({
  id: z.string(),
  standard: z.string(),
  clause: z.string(),
  requirement: z.string(),
  limit: Quantity,
  measured: Quantity,
  unit: z.string(),
  verdict: z.string().min(1),
  note: z.string().optional(),
});
export type ComplianceRule = z.infer<typeof ComplianceRule>;

/** The compliance stage's result; extra fields (failures, tighten, ...) are kept. */
export const Compliance = z.looseObject({ rules: z.array(ComplianceRule), passed: z.boolean() });
export type Compliance = z.infer<typeof Compliance>;

/** A free-form analysis result (`null` when the analysis did not run). */
export const AnalysisResult = z.record(z.string(), z.unknown()).nullable();

/** The four parallel analyses. */
export const Analyses = z.object({
  stress: AnalysisResult,
  failure: AnalysisResult,
  thermal: AnalysisResult,
  cost: AnalysisResult,
});
export type Analyses = z.infer<typeof Analyses>;

/** A Pareto-front member, compact: system-level objectives and the key variables. */
export const ParetoPoint = z.object({
  id: z.string(),
  chosen: z.boolean(),
  massKg: z.number(),
  costUsd: z.number(),
  storedH2Kg: z.number(),
  gravimetricPct: z.number(),
  safetyMargin: z.number(),
  count: z.number().int(),
  innerRadiusMm: z.number(),
  cylinderLengthMm: z.number(),
  helicalAngleDeg: z.number(),
});
export type ParetoPoint = z.infer<typeof ParetoPoint>;

/** Where the document comes from. */
export const Provenance = z.object({
  generator: z.literal('stagegraph'),
  stagegraphVersion: z.string(),
  plugin: z.object({ name: z.string(), version: z.string() }),
  runId: z.string(),
  /** ISO 8601; fixed by the input, so the same input gives the same document. */
  createdAt: z.string(),
  seed: z.number().int(),
  /** Data sources and standard clauses the design rests on, deduplicated in order of first use. */
  sources: z.array(z.string()),
});
export type Provenance = z.infer<typeof Provenance>;

/** The schema of design.json. */
export const DesignDocument = z.object({
  format: z.literal('stagegraph.h2-tank.design/1'),
  requirements: Requirements,
  /** Gaps filled while reading the request, the analyses' stated assumptions, then this export's. */
  assumptions: z.array(z.string()),
  basis: DesignBasis,
  decisions: z.array(DecisionRecordSchema),
  paretoFront: z.array(ParetoPoint),
  design: Design,
  analyses: Analyses,
  compliance: Compliance,
  validation: z.record(z.string(), z.unknown()).nullable(),
  warnings: z.array(z.string()),
  provenance: Provenance,
});
export type DesignDocument = z.infer<typeof DesignDocument>;

/** The run data a design document is built from (the export stage's input, less paths). */
export interface DesignDocumentSource {
  runId: string;
  requirements: Requirements;
  basis: DesignBasis;
  design: Design;
  front: Design[];
  decisions: z.infer<typeof DecisionRecordSchema>[];
  analyses: Analyses;
  compliance: Compliance;
  validation: Record<string, unknown> | null;
  warnings: string[];
}

/** What the document needs besides the run data. */
export interface DocumentMeta {
  stagegraphVersion: string;
  plugin: { name: string; version: string };
  createdAt: string;
  /** Assumptions made by the export itself (e.g. how the STEP envelope is modelled). */
  exportAssumptions: string[];
}

/**
 * Figures of the engineering model that every design rests on (H2_REFERENCE.md, [S]).
 * Decision evidence and compliance clauses are added to these per run.
 */
export const MODEL_SOURCES: readonly string[] = [
  'H2 density: Lemmon, Huber, Leachman, J. Res. NIST 113(6):341 (2008), doi:10.6028/jres.113.028',
  'Composite sizing: netting theory, translation efficiency 0.8 (NREL Tankinator)',
  'Dome meridian: geodesic isotensoid, Clairaut relation r sin a = r0 (H2_REFERENCE.md)',
];

/** A Pareto point from a design; `chosen` marks the design the run settled on. */
export function toParetoPoint(d: Design, chosenId: string): ParetoPoint {
  return {
    id: d.id,
    chosen: d.id === chosenId,
    massKg: d.totals.massKg,
    costUsd: d.totals.costUsd,
    storedH2Kg: d.totals.storedH2Kg,
    gravimetricPct: d.totals.gravimetricPct,
    safetyMargin: d.safetyMargin,
    count: d.variables.count,
    innerRadiusMm: d.variables.innerRadiusMm,
    cylinderLengthMm: d.variables.cylinderLengthMm,
    helicalAngleDeg: d.variables.helicalAngleDeg,
  };
}

/** The `assumptions` lists the analyses state, each prefixed with its analysis. */
function analysisAssumptions(analyses: Analyses): string[] {
  return Object.entries(analyses).flatMap(([name, result]) => {
    const list = result?.assumptions;
    return Array.isArray(list) ? list.filter((a): a is string => typeof a === 'string').map((a) => `${name}: ${a}`) : [];
  });
}

function sourcesOf(src: DesignDocumentSource): string[] {
  const all = [...MODEL_SOURCES, `Material data: H2_REFERENCE.md materials table (${src.basis.fiber}, ${src.basis.liner}, epoxy)`];
  for (const d of src.decisions) {
    for (const e of d.evidence) {
      if (e.source) all.push(e.source);
      if (e.clause) all.push(e.clause);
    }
  }
  for (const r of src.compliance.rules) all.push(`${r.standard}: ${r.clause}`);
  return [...new Set(all)];
}

/**
 * Assembles design.json and validates it against `DesignDocument`.
 * @throws StagegraphError `export_invalid_document` (fatal: a bug upstream) when it does not validate.
 */
export function buildDesignDocument(src: DesignDocumentSource, meta: DocumentMeta): DesignDocument {
  const doc = {
    format: 'stagegraph.h2-tank.design/1' as const,
    requirements: src.requirements,
    assumptions: [...src.requirements.assumptions, ...analysisAssumptions(src.analyses), ...meta.exportAssumptions],
    basis: src.basis,
    decisions: src.decisions,
    paretoFront: src.front.map((d) => toParetoPoint(d, src.design.id)),
    design: src.design,
    analyses: src.analyses,
    compliance: src.compliance,
    validation: src.validation,
    warnings: src.warnings,
    provenance: {
      generator: 'stagegraph' as const,
      stagegraphVersion: meta.stagegraphVersion,
      plugin: meta.plugin,
      runId: src.runId,
      createdAt: meta.createdAt,
      seed: src.basis.seed,
      sources: sourcesOf(src),
    },
  };
  const parsed = DesignDocument.safeParse(doc);
  if (!parsed.success) {
    throw new StagegraphError('export_invalid_document', 'design.json does not match its schema', {
      class: 'fatal',
      details: { issues: parsed.error.issues.slice(0, 10).map((i) => ({ path: i.path.join('.'), message: i.message })) },
    });
  }
  return parsed.data;
}

/** design.json text: two-space indented, newline-terminated, keys in schema order. */
export function serializeDesignDocument(doc: DesignDocument): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}
