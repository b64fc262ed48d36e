/**
 * The hierarchical example, a report desk: `intake` takes the question, the
 * `research-team` stage delegates it to a whole sub-workflow (`gather` -> `verify` ->
 * `summarize`, checkpointed in its own namespace), and `report` writes up what the
 * team sent back. `verify` escalates: without a source it asks a person (the parent run
 * waits for input with the child's question), and the answer resumes the child there.
 */
import { z } from 'zod';
import { END, START, type WorkflowDefinition } from '../../workflow.ts';
import { subWorkflow } from '../hierarchical.ts';
import { assemble } from '../parts.ts';
import { sequential } from '../sequential.ts';
import { exampleStage, type ExampleOptions } from './kit.ts';
import { StagegraphError } from '../../../nodes/errors.ts';

const Question = z.object({ question: z.string(), source: z.string().optional() });
const Facts = z.object({ question: z.string(), facts: z.array(z.string()), source: z.string().optional() });
const Findings = z.object({ answer: z.string(), source: z.string() });

/** The research team's own workflow (a child of the report desk). */
export function researchTeam(options: ExampleOptions = {}): WorkflowDefinition {
  const gather = exampleStage('gather', 'Collects facts for the question',
    { input: Question, output: Facts },
    ({ question, source }) => {
      // Nothing to research: a failure the team cannot recover from, escalated to the parent.
      if (!question.trim()) throw new StagegraphError('empty_question', 'the question is blank', { class: 'fatal' });
      return { question, facts: [`fact about ${question}`, `another fact about ${question}`], ...(source ? { source } : {}) };
    }, options);
  const verify = exampleStage('verify', 'Checks the facts against a source; asks for one when there is none',
    { input: Facts, output: Facts.required({ source: true }) },
    (facts) => {
      if (facts.source) return { ...facts, source: facts.source };
      throw new StagegraphError('source_missing', 'no source to verify the facts against', {
        class: 'validation',
        details: { question: `Which source should verify the facts about "${facts.question}"? Answer { "source": "<citation>" }.` },
      });
    }, options);
  const summarize = exampleStage('summarize', 'Summarises the verified facts',
    { input: Facts.required({ source: true }), output: Findings },
    ({ facts, source }) => ({ answer: facts.join('; '), source }), options);
  const team = sequential({ name: 'team', stages: [gather, verify, summarize], then: END });
  return assemble({ id: 'research-team', description: 'Gathers, verifies and summarises facts for a question', blocks: [team], edges: [{ from: START, to: team.entry }] });
}

export function hierarchicalExample(options: ExampleOptions = {}): WorkflowDefinition {
  const intake = exampleStage('intake', 'Takes the question',
    { input: Question, output: Question },
    (q) => q, options);
  const team = subWorkflow({ name: 'research-team', workflow: researchTeam(options) });
  const report = exampleStage('report', 'Writes up the findings',
    { input: Findings, output: z.object({ report: z.string() }) },
    ({ answer, source }) => ({ report: `${answer} [${source}]` }), options);
  const desk = sequential({ name: 'desk', stages: [intake, team, report], then: END });
  return assemble({
    id: 'patterns-hierarchical',
    description: 'Hierarchical pattern: a research team runs as a sub-workflow of the report desk and escalates questions up',
    blocks: [desk],
    edges: [{ from: START, to: desk.entry }],
  });
}
