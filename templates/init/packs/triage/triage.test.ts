/**
 * The triage pack's tests, with stagegraph's test kit: the stage contract for each
 * stage, and whole runs on a real PostgreSQL (embedded, or DATABASE_URL's server).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runStage, stageContract, testStagegraph, type TestStagegraph } from 'stagegraph/testing';
import { draftReply, readTicket, triagePack } from './index.ts';

const OUTAGE = 'Checkout is down for all our customers since 9:00, error 503 on payment';
const QUESTION = 'Question: how do I download last month\'s invoice?';

describe('stage contract', () => {
  describe('read-ticket', () => {
    for (const check of stageContract(readTicket, { input: { text: OUTAGE } })) it(check.name, check.run);
  });
  describe('draft-reply', () => {
    const ticket = { text: QUESTION, area: 'billing', severity: 'low', tier: 'free', affected: 1, signals: ['invoice', 'Question'] };
    for (const check of stageContract(draftReply, { input: ticket })) it(check.name, check.run);
  });
});

describe('read-ticket', () => {
  it('reads area, severity and the words that set them', async () => {
    const { output } = await runStage(readTicket, { text: OUTAGE });
    expect(output).toMatchObject({ area: 'checkout', severity: 'critical', tier: 'free' });
    expect(output.signals).toContain('Checkout');
  });
});

describe('the triage workflow', () => {
  let t: TestStagegraph;
  beforeAll(async () => {
    t = await testStagegraph({ packs: [triagePack] });
  });
  afterAll(() => t?.close());

  it('escalates an outage, by rule, and drafts no reply', async () => {
    const r = await t.run({ request: OUTAGE });
    expect(r.status).toBe('completed');
    expect(r.decisions).toHaveLength(1);
    expect(r.decisions[0]).toMatchObject({ point: 'handling', chosen: 'escalate', method: 'rule' });
    expect(r.outputs['draft-reply']).toBeUndefined();
    expect(r.events.map((e) => e.type)).toContain('workflow.decision_made');
  });

  it('answers a billing question with its help article', async () => {
    const r = await t.run({ request: QUESTION });
    expect(r.status).toBe('completed');
    expect(r.decisions[0]).toMatchObject({ chosen: 'auto-reply', method: 'rule' });
    expect(r.outputs['draft-reply']).toMatchObject({ article: 'https://help.example.com/billing' });
  });

  it('asks for a ticket when it is empty, with the schema\'s message', async () => {
    const r = await t.run({ request: '' });
    expect(r.status).toBe('waiting_input');
    expect(r.run.question).toMatchObject({
      code: 'stage_input_invalid',
      stage: 'read-ticket',
      question: "Stage 'read-ticket' cannot use its input: 'text' (a ticket needs a few words). Which value should it have? Answer with an object of the corrected fields.",
    });
  });
});
