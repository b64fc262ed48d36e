/**
 * The one thing the parse-requirements stage may ask an LLM: which application an
 * unrecognised wording names ("a forklift", "an offshore platform"). Structured
 * output through zod, a hard time box, and every failure reported as a reason
 * rather than thrown, so the stage falls back to the rules' stated assumption.
 * Primary values (pressure, capacity) are never asked of an LLM: they are asked of a person.
 */
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { z } from 'zod';
import { APPLICATIONS, Application } from '../schemas.ts';

/** The time box for one LLM call, ms. @default 2000 */
export const LLM_TIMEOUT_MS = 2000;

/** What the LLM must return. `null` when the text names no application. */
export const LlmApplicationAnswer = z.object({
  application: Application.nullable().describe(`one of ${APPLICATIONS.join(', ')}, or null when the text does not say`),
  words: z.string().describe('the words of the request that name the application'),
});
export type LlmApplicationAnswer = z.infer<typeof LlmApplicationAnswer>;

const SYSTEM =
  'You classify the application of a hydrogen pressure vessel request. Answer with the application it is for: ' +
  'automotive (cars, light-duty), bus, truck (heavy-duty road), rail, marine, aerospace (aircraft, drones), ' +
  'stationary (ground storage, station buffers, backup power), transport (tube trailers, transportable cylinders) ' +
  'or industrial (gas cylinders and bundles for industrial gas supply, laboratories, welding). ' +
  'Use null when the request does not say. Do not guess pressures or capacities.';

/** The LLM's reading, or why it could not be used. */
export type LlmReading = { ok: true; application: Application; words: string } | { ok: false; reason: string };

/** Rejects as soon as `signal` aborts; resolves or rejects with `work` otherwise. */
function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * Asks the LLM which application `text` names. Returns `{ ok: false, reason }` on a
 * timeout, an invalid answer, no answer or any model error; rethrows only when the
 * stage's own `signal` aborted (pause or abort must not be swallowed).
 * @example await readApplicationWithLlm(llm, 'a tank for a forklift at 35 MPa', ctx.signal)
 * // { ok: true, application: 'truck', words: 'forklift' }
 */
export async function readApplicationWithLlm(llm: BaseChatModel, text: string, signal: AbortSignal, timeoutMs = LLM_TIMEOUT_MS): Promise<LlmReading> {
  const deadline = AbortSignal.timeout(timeoutMs);
  const both = AbortSignal.any([signal, deadline]);
  try {
    const model = llm.withStructuredOutput(LlmApplicationAnswer, { name: 'tank_application' });
    const raw = await raceAbort(model.invoke([['system', SYSTEM], ['human', text]], { signal: both }), both);
    const answer = LlmApplicationAnswer.safeParse(raw);
    if (!answer.success) return { ok: false, reason: 'the LLM answer did not match the schema' };
    if (answer.data.application === null) return { ok: false, reason: 'the LLM found no application in the request' };
    return { ok: true, application: answer.data.application, words: answer.data.words };
  } catch (e) {
    if (signal.aborted) throw signal.reason ?? e;
    if (deadline.aborted) return { ok: false, reason: `the LLM timed out after ${timeoutMs} ms` };
    const name = typeof e === 'object' && e !== null && 'name' in e ? String((e as { name: unknown }).name) : 'Error';
    return { ok: false, reason: `the LLM call failed (${name})` };
  }
}
