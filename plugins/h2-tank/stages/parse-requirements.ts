/**
 * Stage 1 of the hydrogen-tank designer: plain English and/or structured JSON in,
 * typed `Requirements` out. Rules and unit parsing do the reading; the LLM, when one
 * is configured, is asked only about what the rules could not read (the application
 * wording), time-boxed to 2 s, and any failure keeps the rules' stated assumption.
 * A missing or contradictory primary value (pressure, capacity) is never guessed: the
 * stage throws a validation error carrying the question, which the runtime turns into
 * a LangGraph interrupt; the answer comes back as `clarifications` in the input.
 * A tank type, material, standard or application the request names binds the decisions;
 * where a safety rule argues against a named choice, the stage asks the same way.
 */
import { StagegraphError } from '../../../nodes/errors.ts';
import type { StageContext, StagePlugin } from '../../../nodes/types.ts';
import { checkStatedChoices } from '../decisions/stated-check.ts';
import { Requirements } from '../schemas.ts';
import { ParseRequirementsInput } from '../requirements/input.ts';
import { readApplicationWithLlm } from '../requirements/llm-read.ts';
import { parseRequirements, type ParseOutcome } from '../requirements/parse.ts';
import type { RequirementsIssue } from '../requirements/questions.ts';

/**
 * The error thrown for a question. `details` = `{ field, question, found?, answerWith }`;
 * `answerWith` is an example patch such as `{ clarifications: { pressure: '70 MPa' } }`.
 */
export function requirementsError(issue: RequirementsIssue): StagegraphError {
  return new StagegraphError(issue.code, issue.message, {
    class: 'validation',
    details: {
      field: issue.field,
      question: issue.question,
      ...(issue.found !== undefined ? { found: issue.found } : {}),
      answerWith: issue.answerWith,
    },
    hint: issue.question,
  });
}

function unwrap(outcome: ParseOutcome): Extract<ParseOutcome, { ok: true }> {
  if (!outcome.ok) throw requirementsError(outcome.issue);
  return outcome;
}

/** Asks the LLM about an unread application and re-reads with its answer; keeps the rules' result on any failure. */
async function withLlm(input: ParseRequirementsInput, first: Extract<ParseOutcome, { ok: true }>, ctx: StageContext): Promise<Requirements> {
  const unread = first.unread.find((u) => u.field === 'application');
  const wording = [input.text, input.structured?.application].filter((t): t is string => typeof t === 'string' && t.length > 0).join('\n');
  if (unread === undefined || ctx.llm === undefined || wording === '') {
    if (unread !== undefined) ctx.log.info('application not read by the rules; keeping the stated assumption', { llm: ctx.llm !== undefined });
    return first.requirements;
  }
  ctx.progress(40, 'asking the LLM which application the request names');
  const reading = await readApplicationWithLlm(ctx.llm, wording, ctx.signal);
  if (!reading.ok) {
    ctx.log.warn('LLM fallback not used; keeping the rules result', { reason: reading.reason });
    return { ...first.requirements, assumptions: [...first.requirements.assumptions, `The LLM was not used: ${reading.reason}`] };
  }
  const again = unwrap(parseRequirements({ ...input, clarifications: { ...input.clarifications, application: reading.application } }));
  // The LLM's reading is not something the requester named: it does not go into `stated`.
  const { application: _llmApplication, ...stated } = again.requirements.stated ?? {};
  return {
    ...again.requirements,
    ...(Object.keys(stated).length > 0 ? { stated } : { stated: undefined }),
    assumptions: [`Application read as ${reading.application} by the LLM from '${reading.words}'`, ...again.requirements.assumptions],
    parsedBy: 'rules+llm',
  };
}

/**
 * The parse-requirements stage.
 * Input: `{ text?, structured?, clarifications? }` (at least one of text/structured).
 * Output: `Requirements` with `parsedBy` 'rules' | 'rules+llm' | 'structured'.
 * Throws `requirements_incomplete` | `requirements_contradictory` | `requirements_out_of_range`
 * | `requirements_safety_conflict` (a named tank type or material a safety rule argues
 * against; class `validation`, `details.question`).
 * @example await parseRequirementsStage.run({ text: 'I need a 70 MPa hydrogen tank for automotive use, 5 kg capacity' }, ctx)
 */
export const parseRequirementsStage: StagePlugin<typeof ParseRequirementsInput, typeof Requirements> = {
  name: 'parse-requirements',
  version: '1.0.0',
  description: 'Reads plain-English or structured hydrogen-tank requirements into typed, unit-checked requirements',
  capabilities: ['requirements', 'unit-parsing', 'clarification'],
  input: ParseRequirementsInput,
  output: Requirements,
  policy: { timeoutMs: 10_000, estimateMs: 50 },
  async run(input, ctx) {
    ctx.signal.throwIfAborted();
    ctx.progress(0, 'reading requirements');
    const first = unwrap(parseRequirements(input));
    const requirements = await withLlm(input, first, ctx);
    // A named tank type or material that a safety rule argues against: ask, do not override either.
    const clash = checkStatedChoices(requirements);
    if (clash) throw requirementsError(clash);
    ctx.progress(100, `read ${requirements.pressureMPa} MPa, ${requirements.application}`);
    return requirements;
  },
};
