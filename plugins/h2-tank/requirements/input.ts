/**
 * The input of the parse-requirements stage: free text, a structured (partial)
 * requirements object, or both, plus the clarifications a person gave when the
 * stage asked a question. A clarification overrides what was read for its field.
 */
import { z } from 'zod';

/**
 * Structured requirements, every field optional. Values in base units (MPa, kg, L,
 * C, mm); `pressure` and `capacity` also take text read by the same unit parser
 * ("700 bar", "4.6 kg usable", "122 L"). Application, market, standards and
 * priorities accept the enum values or their usual names ("car", "Europe", "GTR 13").
 * Unknown keys are rejected, so a misspelt field fails early instead of being dropped.
 * @example { pressureMPa: 70, h2MassKg: 5, application: 'automotive', market: 'EU' }
 */
export const RequirementsDraft = z.strictObject({
  pressureMPa: z.number().positive().optional(),
  pressure: z.union([z.string().min(1), z.number().positive()]).optional(),
  h2MassKg: z.number().positive().optional(),
  waterVolumeL: z.number().positive().optional(),
  capacity: z.union([z.string().min(1), z.number().positive()]).optional(),
  application: z.string().min(1).optional(),
  market: z.string().min(1).optional(),
  temperatureC: z.object({ min: z.number().optional(), max: z.number().optional() }).optional(),
  envelope: z.object({ maxLengthMm: z.number().positive().optional(), maxDiameterMm: z.number().positive().optional() }).optional(),
  standards: z.array(z.string().min(1)).optional(),
  priorities: z.array(z.string().min(1)).optional(),
  /** A tank type the requester asks for: 'III', 'Type IV', 4. Binding, like one named in text. */
  tankType: z.union([z.string().min(1), z.number().int().min(1).max(4)]).optional(),
  /** Materials the requester asks for, read like text: 'steel', 'aluminium liner, T800 carbon'. Binding. */
  material: z.string().min(1).optional(),
  /** Accepted so that a `Requirements` object can be fed back in; ignored (use `tankType` and `material`). */
  stated: z.unknown().optional(),
  /** Accepted so that a `Requirements` object can be fed back in; ignored. */
  assumptions: z.array(z.string()).optional(),
  /** Accepted so that a `Requirements` object can be fed back in; ignored. */
  parsedBy: z.string().optional(),
  /** Accepted so that a `Requirements` object can be fed back in; ignored (use the top-level `text`). */
  text: z.string().optional(),
});
export type RequirementsDraft = z.infer<typeof RequirementsDraft>;

/** The fields a clarification may set, each read like the text would be. */
export const CLARIFIABLE_FIELDS = ['pressure', 'capacity', 'application', 'market', 'temperature', 'tankType', 'material'] as const;
export type ClarifiableField = (typeof CLARIFIABLE_FIELDS)[number];

/**
 * Input of the parse-requirements stage. At least one of `text` and `structured`.
 * `clarifications` holds answers to the stage's questions, keyed by field
 * (`pressure`, `capacity`, `application`, `market`, `temperature`, `tankType`, `material`).
 * An answer for `tankType` or `material` is a confirmed choice: it binds even where a
 * safety rule disagrees, because a person decided it when asked.
 * @example { text: 'I need a 70 MPa hydrogen tank for automotive use, 5 kg capacity' }
 * @example { text: '70 MPa tank ... 350 bar', clarifications: { pressure: '70 MPa' } }
 */
export const ParseRequirementsInput = z
  .object({
    text: z.string().trim().min(1).optional(),
    structured: RequirementsDraft.optional(),
    clarifications: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  })
  .refine((v) => v.text !== undefined || v.structured !== undefined, {
    message: 'give the requirements as `text`, `structured`, or both',
    path: ['text'],
  });
export type ParseRequirementsInput = z.infer<typeof ParseRequirementsInput>;
