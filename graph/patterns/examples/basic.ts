/**
 * The trivial patterns' examples: a sequential pipeline (`extract -> transform -> load`)
 * and a parallel fan-out (`lint`, `unit`, `audit` at once, then `verdict`).
 */
import { z } from 'zod';
import { END, START, type WorkflowDefinition } from '../../workflow.ts';
import { assemble } from '../parts.ts';
import { parallel, sequential } from '../sequential.ts';
import { exampleStage, type ExampleOptions } from './kit.ts';

const Rows = z.object({ rows: z.array(z.number()) });

export function sequentialExample(options: ExampleOptions = {}): WorkflowDefinition {
  const extract = exampleStage('extract', 'Reads the rows', { input: Rows, output: Rows }, (r) => r, options);
  const transform = exampleStage('transform', 'Doubles each row', { input: Rows, output: Rows }, ({ rows }) => ({ rows: rows.map((n) => n * 2) }), options);
  const load = exampleStage('load', 'Sums the rows', { input: Rows, output: z.object({ total: z.number() }) }, ({ rows }) => ({ total: rows.reduce((a, b) => a + b, 0) }), options);
  const pipeline = sequential({ name: 'pipeline', stages: [extract, transform, load], then: END });
  return assemble({ id: 'patterns-sequential', description: 'Sequential pattern: extract, transform, load', blocks: [pipeline], edges: [{ from: START, to: pipeline.entry }] });
}

const Change = z.object({ files: z.array(z.string()) });

export function parallelExample(options: ExampleOptions = {}): WorkflowDefinition {
  const check = (name: string, ok: (files: string[]) => boolean) =>
    exampleStage(name, `Runs the ${name} check`, { input: Change, output: z.object({ [name]: z.boolean() }) }, ({ files }) => ({ [name]: ok(files) }), options);
  const lint = check('lint', (f) => f.every((x) => !x.endsWith('.tmp')));
  const unit = check('unit', (f) => f.length > 0);
  const audit = check('audit', (f) => !f.includes('secrets.env'));
  const verdict = exampleStage('verdict', 'Merges the checks into one verdict',
    { input: z.object({ lint: z.boolean(), unit: z.boolean(), audit: z.boolean() }), output: z.object({ pass: z.boolean() }) },
    (c) => ({ pass: c.lint && c.unit && c.audit }), options);
  const checks = parallel({ name: 'checks', stages: [lint, unit, audit], then: verdict.name });
  const end = sequential({ name: 'end', stages: [verdict], then: END });
  return assemble({ id: 'patterns-parallel', description: 'Parallel pattern: three checks at once, one verdict', blocks: [checks, end], edges: [{ from: START, to: checks.entry }] });
}
