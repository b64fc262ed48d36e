/**
 * The LLM fallback through `@langchain/openai` against a loopback OpenAI-compatible
 * stub: a good answer, an answer outside the options, a malformed answer, a slow
 * answer past the time box, a 500 and a 429 — each ends in the documented method and
 * confidence, with one request (never retried), and the reason in `notes`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decide, DEFAULT_CONFIDENCE } from '../graph/decisions/decide.ts';
import { chatModelFromEnv, llmFallback, llmFallbackFromEnv } from '../graph/decisions/llm.ts';
import type { DecisionPoint } from '../graph/decisions/types.ts';
import { isStagegraphError } from '../nodes/errors.ts';
import { startOpenAIStub, type OpenAIStub, type StubReply } from './support/openai-stub.ts';

const route: DecisionPoint<{ load: number }> = {
  name: 'route',
  description: 'pick a lane',
  options: ['left', 'right'],
  inputs: () => ({ load: 3 }),
  rules: [{ id: 'heavy', when: (i) => i.load > 10, choose: 'left', because: 'heavy loads go left', confidence: 0.9 }],
  default: 'left',
  prompt: 'Prefer the lane with less traffic.',
};

const good = { choice: 'right', confidence: 0.8, reasoning: 'the right lane is empty', alternatives: [{ option: 'left', reason: 'congested' }] };

describe('LLM fallback', () => {
  let stub: OpenAIStub;
  let env: Record<string, string>;

  beforeAll(async () => {
    stub = await startOpenAIStub({ answer: good });
    env = { STAGEGRAPH_LLM_BASE_URL: stub.baseURL, STAGEGRAPH_LLM_MODEL: 'stub-model' };
  });
  afterAll(() => stub?.close());

  async function decideWith(reply: StubReply, options: { timeoutMs?: number; method?: 'functionCalling' | 'jsonSchema' } = {}) {
    stub.reply(reply);
    const before = stub.count;
    // A generous time box except where the time box is under test: a cold first call on a busy machine can take a while.
    const timeoutMs = options.timeoutMs ?? ('delayMs' in reply ? 200 : 5000);
    const record = await decide(route, { load: 3 }, { fallback: llmFallback(chatModelFromEnv(env)!, { ...options, timeoutMs }) });
    return { record, requests: stub.count - before, request: stub.requests.at(-1)! };
  }

  it('a good answer (tool call): method llm with the answer\'s confidence, reasoning and alternatives', async () => {
    const { record, requests, request } = await decideWith({ answer: good });
    expect([record.chosen, record.method, record.confidence, requests]).toEqual(['right', 'llm', 0.8, 1]);
    expect(record.explanation).toBe('Chose right (LLM, because no rule applied): the right lane is empty');
    expect(record.alternatives).toEqual([{ option: 'left', reason: 'congested' }]);
    expect(request.mode).toBe('tools');
    expect(request.body.model).toBe('stub-model');
    expect(request.body.tool_choice).toEqual({ type: 'function', function: { name: 'decide' } });
    const prompt = JSON.stringify(request.body.messages);
    expect(prompt).toContain('Prefer the lane with less traffic.');
    expect(prompt).toContain('\\"options\\": [\\n    \\"left\\",\\n    \\"right\\"\\n  ]');
  });

  it('a good answer through json_schema structured output', async () => {
    const { record, request } = await decideWith({ answer: good }, { method: 'jsonSchema' });
    expect([record.chosen, record.method, record.confidence]).toEqual(['right', 'llm', 0.8]);
    expect(request.mode).toBe('response_format');
    expect(request.body.response_format?.type).toBe('json_schema');
  });

  const failures: [string, StubReply, string][] = [
    ['an answer outside the options', { answer: { ...good, choice: 'middle' } }, "LLM fallback failed: answered 'middle', which is not one of 'left', 'right'"],
    ['a malformed answer', { raw: '{"choice": "right", "confidence": ' }, 'LLM fallback failed: malformed answer'],
    ['an answer that breaks the schema', { answer: { choice: 'right', confidence: 7, reasoning: 'x', alternatives: [] } }, 'LLM fallback failed: malformed answer'],
    ['a slow answer past the time box', { answer: good, delayMs: 1500 }, 'LLM fallback failed: timed out after 200 ms'],
    ['HTTP 500', { status: 500 }, 'LLM fallback failed: HTTP 500'],
    ['HTTP 429', { status: 429 }, 'LLM fallback failed: HTTP 429 (rate limited)'],
  ];
  for (const [name, reply, note] of failures) {
    it(`${name}: the default with confidence ${DEFAULT_CONFIDENCE}, the reason in notes, one request`, async () => {
      const { record, requests } = await decideWith(reply);
      expect([record.chosen, record.method, record.confidence, requests]).toEqual(['left', 'default', DEFAULT_CONFIDENCE, 1]);
      expect(record.notes?.[0]).toBe('no rule applied');
      expect(record.notes?.[1]).toContain(note);
      expect(record.explanation).toContain("the default of 'route'");
    });
  }

  it('a decisive rule never asks the LLM', async () => {
    const before = stub.count;
    const record = await decide(route, { load: 30 }, { fallback: llmFallbackFromEnv(env) });
    expect([record.chosen, record.method, stub.count - before]).toEqual(['left', 'rule', 0]);
  });

  it('configuration from the environment: none without a key or URL; bad values rejected with invalid_config', () => {
    expect(llmFallbackFromEnv({})).toBeUndefined();
    expect(chatModelFromEnv({ OPENAI_API_KEY: 'sk-test' })?.model).toBe('gpt-4o-mini');
    expect(typeof llmFallbackFromEnv({ ...env, STAGEGRAPH_LLM_TIMEOUT_MS: '1500' })).toBe('function');
    for (const bad of [{ STAGEGRAPH_LLM_BASE_URL: 'not a url' }, { ...env, STAGEGRAPH_LLM_TIMEOUT_MS: '2s' }, { ...env, STAGEGRAPH_LLM_METHOD: 'xml' }]) {
      const e = (() => {
        try {
          llmFallbackFromEnv(bad);
        } catch (x) {
          return x;
        }
      })();
      expect(isStagegraphError(e, 'invalid_config')).toBe(true);
    }
  });
});
