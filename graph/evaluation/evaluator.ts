/**
 * The evaluator: a workflow's metrics and grades over a window of an owner's finished
 * runs (`evaluate`), a baseline recorded from such a window (`recordBaseline`), and
 * the comparison of the runs since then with it (`check`). It reads only what runs
 * already record and writes only `sg_eval_baselines`.
 */
import type pg from 'pg';
import { StagegraphError } from '../../nodes/errors.ts';
import { insertBaseline, latestBaseline, listBaselines } from './baselines.ts';
import { computeMetrics } from './metrics.ts';
import { compareSamples, normalizeRegressionPolicy, type NormalizedRegressionPolicy, type RegressionPolicy } from './regressions.ts';
import { readSamples, workflowsWithRuns } from './samples.ts';
import type { Baseline, BaselineInfo, CheckReport, EvaluationWindow, WorkflowEvaluation } from './types.ts';

/** Which runs an evaluation, a baseline or a check covers. */
export interface EvaluationOptions {
  /** Whose runs (runs started from the command line or a server without auth are `local`'s). @default "local" */
  owner?: string;
  /** Runs created at or after this. @default 30 days before `until`; for `check`, when its baseline was recorded */
  since?: Date | string;
  /** Runs created before this. @default now, by the database's clock */
  until?: Date | string;
  /** At most this many runs, the newest. @default 200 */
  limit?: number;
}

export const DEFAULT_WINDOW_DAYS = 30;
export const DEFAULT_RUN_LIMIT = 200;
/** The most runs one window reads. */
export const MAX_RUN_LIMIT = 5000;

const DAY_MS = 86_400_000;

function invalid(message: string, details: Record<string, unknown>): StagegraphError {
  return new StagegraphError('invalid_input', message, { class: 'validation', details });
}

function dateOf(value: Date | string, field: string): Date {
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) throw invalid(`${field} is not a date: ${String(value)}`, { field });
  return d;
}

/**
 * @example
 * const evaluator = new Evaluator(db.pool);
 * await evaluator.recordBaseline('triage');
 * // ... later, after more runs:
 * const report = await evaluator.check('triage');
 * if (report.status === 'regressed') for (const r of report.regressions) console.log(r.stage, r.verdict);
 */
export class Evaluator {
  readonly policy: NormalizedRegressionPolicy;

  /** @throws StagegraphError `invalid_policy` */
  constructor(private readonly pool: pg.Pool, policy?: RegressionPolicy) {
    this.policy = normalizeRegressionPolicy(policy);
  }

  /** The window of `options` for `workflowId`, `since` defaulting to `defaultSince` (or 30 days before `until`). */
  private async window(workflowId: string, options: EvaluationOptions, defaultSince?: string): Promise<EvaluationWindow> {
    const limit = options.limit ?? DEFAULT_RUN_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_RUN_LIMIT) throw invalid(`limit must be a whole number from 1 to ${MAX_RUN_LIMIT}, got ${limit}`, { field: 'limit' });
    const owner = options.owner ?? 'local';
    const until = options.until !== undefined ? dateOf(options.until, 'until')
      : (await this.pool.query<{ now: Date }>('SELECT now() AS now')).rows[0]!.now;
    if (options.since === undefined && defaultSince !== undefined) {
      // Since the baseline was recorded: empty, not an error, when that is not before `until`.
      const since = new Date(Math.min(new Date(defaultSince).getTime(), until.getTime()));
      return { workflowId, owner, from: since.toISOString(), to: until.toISOString(), limit };
    }
    const since = options.since !== undefined ? dateOf(options.since, 'since') : new Date(until.getTime() - DEFAULT_WINDOW_DAYS * DAY_MS);
    if (!(since < until)) throw invalid(`since (${since.toISOString()}) must be before until (${until.toISOString()})`, { field: 'since' });
    return { workflowId, owner, from: since.toISOString(), to: until.toISOString(), limit };
  }

  /** The workflows with finished runs in the window of `options`. */
  async workflows(options: EvaluationOptions = {}): Promise<string[]> {
    const w = await this.window('', options);
    return workflowsWithRuns(this.pool, w.owner, w.from, w.to);
  }

  /** Metrics and grades of `workflowId` over the window of `options`. */
  async evaluate(workflowId: string, options: EvaluationOptions = {}): Promise<WorkflowEvaluation> {
    const w = await this.window(workflowId, options);
    const samples = await readSamples(this.pool, w);
    return { window: { from: w.from, to: w.to, runs: samples.runs.length }, metrics: computeMetrics(workflowId, samples) };
  }

  /**
   * Records the window's metrics and samples as `workflowId`'s baseline (the latest
   * baseline is the one `check` compares with).
   * @throws StagegraphError `no_runs` when the window has no finished run
   */
  async recordBaseline(workflowId: string, options: EvaluationOptions = {}): Promise<Baseline> {
    const w = await this.window(workflowId, options);
    const samples = await readSamples(this.pool, w);
    if (samples.runs.length === 0) {
      throw new StagegraphError('no_runs', `no finished runs of ${workflowId} (owner ${w.owner}) from ${w.from} to ${w.to}: nothing to record`, {
        class: 'validation', details: { workflowId, owner: w.owner, from: w.from, to: w.to }, hint: 'run the workflow first, or widen the window with --since',
      });
    }
    return insertBaseline(this.pool, { workflowId, owner: w.owner, window: { from: w.from, to: w.to, runs: samples.runs.length }, metrics: computeMetrics(workflowId, samples), samples });
  }

  /**
   * Compares the runs since `workflowId`'s latest baseline (or in the window of
   * `options`) with it; `status: 'no_baseline'` when none was recorded.
   */
  async check(workflowId: string, options: EvaluationOptions = {}): Promise<CheckReport> {
    const baseline = await latestBaseline(this.pool, options.owner ?? 'local', workflowId);
    const w = await this.window(workflowId, options, baseline?.window.to);
    const samples = await readSamples(this.pool, w);
    const metrics = computeMetrics(workflowId, samples);
    const window = { from: w.from, to: w.to, runs: samples.runs.length };
    if (!baseline) return { workflowId, status: 'no_baseline', baseline: null, window, metrics, comparisons: [], regressions: [] };
    const comparisons = compareSamples(workflowId, baseline.samples, samples, this.policy);
    const regressions = comparisons.filter((c) => c.regressed);
    const { metrics: _m, samples: _s, ...info } = baseline;
    return { workflowId, status: regressions.length ? 'regressed' : 'ok', baseline: info, window, metrics, comparisons, regressions };
  }

  /** `owner`'s baselines (of one workflow, or all), newest first. */
  baselines(owner = 'local', workflowId?: string): Promise<BaselineInfo[]> {
    return listBaselines(this.pool, owner, workflowId);
  }
}
