/**
 * Zod schemas of what workflow state holds (`state.ts`): LangGraph validates each write
 * against them, and they are what LangGraph Studio and `GET /assistants/{id}/schemas`
 * show (JSON Schema, through `StateSchema`). Descriptions here land in that JSON Schema.
 *
 * `DecisionRecord` keeps its hand-written interface (`decisions/types.ts`); the check at
 * the end of this file stops compiling when the schema and the interface drift apart.
 */
import { z } from 'zod';
import type { DecisionRecord } from './decisions/types.ts';

/** Text a user types, as LangGraph Studio's input form asks for it. */
export const RequestTextSchema = z
  .string()
  .min(1)
  .describe('What you need, in plain language, e.g. "I need a 70 MPa hydrogen tank for automotive use, 5 kg capacity".');

/**
 * The request a run started with: text, or a structured request (the workflow's
 * `request` option turns it into the first stage's input). Any JSON value.
 */
export const RequestSchema = z
  .union([z.string(), z.record(z.string(), z.unknown()), z.array(z.unknown()), z.number(), z.boolean(), z.null()])
  .describe('The request the run started with: plain-language text or a structured request.');

export const RunInfoSchema = z
  .object({
    id: z.string(),
    workflowId: z.string(),
    owner: z.string(),
    outRoot: z.string().describe('Where the run writes its artifacts (`<outRoot>/<run id>/`).'),
    seed: z.number().describe('Seed for deterministic stages.'),
  })
  .describe('Which stagegraph run this state belongs to; absent under LangGraph\'s own server.');

export const StageWarningSchema = z.object({
  stage: z.string(),
  code: z.string(),
  class: z.string(),
  message: z.string(),
});

const EvidenceSchema = z.object({
  ruleId: z.string(),
  dataPoint: z.string().optional(),
  clause: z.string().optional(),
  source: z.string().optional(),
});

const DecisionMethodSchema = z.enum(['rule', 'llm', 'preference', 'default']);

export const DecisionRecordSchema = z
  .object({
    id: z.string(),
    point: z.string(),
    iteration: z.number().describe('0 the first time a point is decided in a run, 1 the next loop iteration, ...'),
    chosen: z.string(),
    alternatives: z.array(z.object({ option: z.string(), reason: z.string(), ruleIds: z.array(z.string()).optional() })),
    explanation: z.string(),
    evidence: z.array(EvidenceSchema),
    confidence: z.number(),
    method: DecisionMethodSchema,
    inputs: z.record(z.string(), z.unknown()),
    options: z.array(z.string()),
    notes: z.array(z.string()).optional(),
    preference: z
      .object({
        owner: z.string(),
        baseline: z.object({ chosen: z.string(), method: DecisionMethodSchema, confidence: z.number(), ruleIds: z.array(z.string()) }),
        weights: z.record(z.string(), z.number()),
        advantage: z.number().optional(),
      })
      .optional(),
    decidedAt: z.string(),
  })
  .describe('What a decision point decided, why, and on what.');

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
// Fails to compile when `DecisionRecordSchema` and `DecisionRecord` disagree.
const decisionRecordFits: Same<z.infer<typeof DecisionRecordSchema>, DecisionRecord> = true;
void decisionRecordFits;
