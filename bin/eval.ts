/**
 * `stagegraph eval baseline|check`: records a workflow's metrics and samples as its
 * baseline, and compares the runs since then with it (graph/evaluation/,
 * docs/evaluation.md). `eval check` exits 0 when nothing regressed, 1 when something
 * did (each regression printed with its evidence), 2 on bad usage or input (no
 * baseline to compare with, a bad --since).
 */
import type { Command } from 'commander';
import { Evaluator, type Baseline, type CheckReport, type Comparison, type EvaluationOptions, type StageMetrics, type WorkflowMetrics } from '../graph/evaluation/index.ts';
import { StagegraphError } from '../nodes/index.ts';
import { parseAge } from './gc.ts';
import { exitCodeOf, withDatabase } from './session.ts';

/** Exit code of `eval check` when a regression is found. */
export const REGRESSION_EXIT = 1;

interface WindowFlags {
  workflow?: string;
  since?: string;
  limit: string;
  owner: string;
  json?: boolean;
}

/**
 * `--since`: an ISO 8601 date or an age (`7d`, `12h`).
 * @throws StagegraphError `invalid_date`
 */
export function parseSince(text: string, now = Date.now()): Date {
  if (/^\d+(?:\.\d+)?[smhd]$/.test(text.trim())) return new Date(now - parseAge(text));
  const d = new Date(text);
  if (Number.isNaN(d.getTime())) throw new StagegraphError('invalid_date', `--since must be a date (ISO 8601) or an age such as 7d, got '${text}'`, { class: 'validation' });
  return d;
}

function optionsOf(o: WindowFlags): EvaluationOptions {
  const limit = Number(o.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new StagegraphError('invalid_input', `--limit must be a whole number of at least 1, got '${o.limit}'`, { class: 'validation' });
  return { owner: o.owner, limit, ...(o.since !== undefined ? { since: parseSince(o.since) } : {}) };
}

const pct = (x: number | null) => (x === null ? '–' : `${(x * 100).toFixed(1)} %`);
const ms = (x: number | null) => (x === null ? '–' : x < 10 ? `${x.toFixed(1)} ms` : `${Math.round(x)} ms`);
const grade = (g: string | null) => g ?? 'n/a';

function stageLine(s: StageMetrics): string {
  const cells = [
    s.stage.padEnd(18), String(s.executions).padStart(6), pct(s.successRate).padStart(8),
    ms(s.durationMs.p50).padStart(9), ms(s.durationMs.p90).padStart(9), ms(s.durationMs.p99).padStart(9),
    String(s.retries).padStart(7), String(s.errors.total).padStart(6), grade(s.grade),
  ];
  return `    ${cells.join('  ')}`;
}

/** A workflow's metrics and grades as a few lines for people. */
export function formatMetrics(m: WorkflowMetrics): string {
  const g = m.grades;
  const classes = Object.entries(m.errors.byClass).filter(([, n]) => n > 0).map(([c, n]) => `${c} ${n}`).join(', ') || 'none';
  return [
    `  grade ${grade(m.grade)}: ${m.runs.finished} finished runs (${m.runs.completed} completed, ${m.runs.failed} failed${m.runs.aborted ? `, ${m.runs.aborted} aborted, not counted` : ''})`,
    `  success ${pct(m.successRate)} ${grade(g.successRate)} · duration p50 ${ms(m.durationMs.p50)} p90 ${ms(m.durationMs.p90)} p99 ${ms(m.durationMs.p99)} ${grade(g.duration)}` +
      ` · retries ${m.retries.retries}/${m.retries.executions} ${grade(g.retries)} · errors ${pct(m.errors.rate)} (${classes}) ${grade(g.errors)}`,
    `  decisions ${m.decisions.count} (mean confidence ${m.decisions.meanConfidence === null ? '–' : m.decisions.meanConfidence.toFixed(2)}) ${grade(g.decisions)}` +
      ` · feedback ${m.feedback.agree} agree, ${m.feedback.disagree} disagree ${grade(g.feedback)}`,
    `    ${['stage'.padEnd(18), 'execs'.padStart(6), 'success'.padStart(8), 'p50'.padStart(9), 'p90'.padStart(9), 'p99'.padStart(9), 'retries'.padStart(7), 'errors'.padStart(6), 'grade'].join('  ')}`,
    ...m.stages.map(stageLine),
  ].join('\n');
}

function comparisonLine(c: Comparison): string[] {
  const what = `${c.stage ?? '(workflow)'} ${c.metric === 'duration' ? (c.stage ? 'duration' : 'time in stages') : 'success rate'}`;
  const lines = [`  ${c.regressed ? '✗ REGRESSION' : '✓'} ${what}: ${c.verdict}`];
  if (c.regressed) {
    const runs = c.evidence.runs.map((r) => `${r.runId}${r.durationMs !== undefined ? ` ${ms(r.durationMs)}` : ''}${r.error ? ` ${r.error.class} ${r.error.code}${r.error.stage ? ` in ${r.error.stage}` : ''}` : ''}`);
    lines.push(`      runs (${c.evidence.count}${c.evidence.count > runs.length ? `, first ${runs.length}` : ''}): ${runs.join(', ')}`);
  }
  return lines;
}

/** A check's outcome as lines for people. */
export function formatCheck(r: CheckReport): string {
  if (!r.baseline) return `${r.workflowId}: no baseline to compare with (stagegraph eval baseline --workflow ${r.workflowId})`;
  const head = `${r.workflowId}: ${r.status === 'regressed' ? `REGRESSED (${r.regressions.length})` : 'no regression'} — ${r.window.runs} runs since ${r.window.from}` +
    ` against baseline ${r.baseline.id} (${r.baseline.window.runs} runs, recorded ${r.baseline.createdAt})`;
  return [head, ...r.comparisons.flatMap(comparisonLine), formatMetrics(r.metrics)].join('\n');
}

function formatBaseline(b: Baseline): string {
  return [`${b.workflowId}: baseline ${b.id} recorded from ${b.window.runs} runs (${b.window.from} to ${b.window.to})`, formatMetrics(b.metrics)].join('\n');
}

/** Runs `fn` with an evaluator on the database and the flags' window; a bad window exits 2 before anything opens. */
function withEvaluator(o: WindowFlags, fn: (evaluator: Evaluator, options: EvaluationOptions) => Promise<number | void>): Promise<never> {
  let options: EvaluationOptions;
  try {
    options = optionsOf(o);
  } catch (e) {
    process.exit(exitCodeOf(e));
  }
  return withDatabase((db) => fn(new Evaluator(db.pool), options));
}

export function evalCommand(program: Command): void {
  const evaluation = program.command('eval').description("grade workflows and catch regressions against a baseline (docs/evaluation.md)");
  const windowFlags = (c: Command) => c
    .option('-w, --workflow <id>', 'only this workflow')
    .option('--since <when>', 'runs created since then: a date (ISO 8601) or an age such as 7d')
    .option('-n, --limit <n>', 'at most this many runs (the newest) per workflow', '200')
    .option('-o, --owner <owner>', "whose runs (the command line's and an open server's are local's)", 'local')
    .option('--json', 'print JSON');

  windowFlags(evaluation.command('baseline'))
    .description("record each workflow's metrics and samples over its recent runs (default: the last 30 days) as its baseline")
    .action((o: WindowFlags) =>
      withEvaluator(o, async (evaluator, options) => {
        const ids = o.workflow ? [o.workflow] : await evaluator.workflows(options);
        if (ids.length === 0) {
          throw new StagegraphError('no_runs', `no finished runs of owner ${o.owner} in the window: nothing to record`, { class: 'validation', hint: 'run a workflow first, or widen the window with --since' });
        }
        const recorded: Baseline[] = [];
        for (const id of ids) recorded.push(await evaluator.recordBaseline(id, options));
        if (o.json) return void console.log(JSON.stringify(recorded.map(({ samples: _s, ...b }) => b)));
        console.log(recorded.map(formatBaseline).join('\n\n'));
      }));

  windowFlags(evaluation.command('check'))
    .description('compare the runs since each baseline (or --since) with it; exit 1 if a regression is found, with its evidence')
    .action((o: WindowFlags) =>
      withEvaluator(o, async (evaluator, options) => {
        const ids = o.workflow ? [o.workflow] : [...new Set((await evaluator.baselines(o.owner)).map((b) => b.workflowId))].sort();
        const reports: CheckReport[] = [];
        for (const id of ids) reports.push(await evaluator.check(id, options));
        const missing = reports.filter((r) => r.status === 'no_baseline');
        if (ids.length === 0 || missing.length) {
          const which = missing.map((r) => r.workflowId).join(', ');
          throw new StagegraphError('baseline_not_found', ids.length === 0 ? `owner ${o.owner} has no baseline to compare with` : `no baseline for ${which} (owner ${o.owner})`, {
            class: 'validation', details: { owner: o.owner, workflows: missing.map((r) => r.workflowId) },
            hint: `record one first: stagegraph eval baseline${o.workflow ? ` --workflow ${o.workflow}` : ''}`,
          });
        }
        if (o.json) console.log(JSON.stringify(reports));
        else console.log(reports.map(formatCheck).join('\n\n'));
        return reports.some((r) => r.status === 'regressed') ? REGRESSION_EXIT : 0;
      }));
}
