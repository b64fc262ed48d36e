/**
 * The evaluator on real runs of a small workflow on real PostgreSQL: `prep -> level
 * (decision) -> work (sleeps 100 ms) -> finish`, run in batches of 30.
 * - Unchanged runs: three baselines in a row, each followed by a check of a new batch:
 *   no regression any time.
 * - `work` made 10 % slower (110 ms): flagged, naming the stage and the runs; the CLI
 *   exits 1 with the same evidence (and 2 on bad usage); `GET /api/evaluations` and the
 *   dashboard's overview (a real browser) show the same grades and regressions.
 * - `work` failing in every other run: the success rate drop is flagged with the failed
 *   runs and their error.
 * - Metrics: errors by class, retries, decision confidence and agreement with feedback.
 * - Owner scoping.
 * The injected delay is the test's input; no assertion is about wall time.
 */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Evaluator, overallGrade, type CheckReport } from '../graph/evaluation/index.ts';
import { createStagegraph, type Stagegraph } from '../graph/runtime.ts';
import { END, START, defineWorkflow } from '../graph/workflow.ts';
import { StagegraphError } from '../nodes/errors.ts';
import { createServer, type StagegraphServer } from '../server/index.ts';
import { buildDashboard } from '../server/dashboard/build.ts';
import { launchBrowser, unnamedControls } from './support/browser.ts';
import { sleep, stage, type NValue } from './fixtures/stages.ts';
import { testDatabase, type TestDatabase } from './support/db.ts';
import { stagegraphDone } from './support/processes.ts';

const BATCH = 30;
const WORK_MS = 100;

/** What the next runs do: the test's own input. */
const mode = { workMs: WORK_MS, failEveryOther: false, flakyFinish: false };
const hiccuped = new Set<string>();

const evaluated = defineWorkflow({
  id: 'evaluated',
  description: 'prep, a decision, 100 ms of work, finish',
  stages: [
    stage('prep'),
    stage('work', {
      run: async ({ n }: NValue, ctx) => {
        await sleep(mode.workMs, ctx.signal);
        // Requests 1, 3, 5, ... reach work with an even n.
        if (mode.failEveryOther && n % 2 === 0) throw new StagegraphError('work_broken', 'the work broke', { class: 'fatal' });
        return { n: n + 1 };
      },
    }),
    stage('finish', {
      policy: { retry: { transient: { maxAttempts: 2, initialIntervalMs: 1, jitter: false } } },
      run: async ({ n }: NValue, ctx) => {
        if (mode.flakyFinish && n % 3 === 0 && !hiccuped.has(ctx.runId)) {
          hiccuped.add(ctx.runId);
          throw new StagegraphError('finish_hiccup', 'a hiccup', { class: 'transient' });
        }
        return { n: n + 1 };
      },
    }),
  ],
  decisions: [{
    name: 'level', description: 'a level for the work', options: ['low', 'high'],
    inputs: (s) => s.outputs.prep as NValue,
    rules: [{ id: 'always-high', when: () => true, choose: 'high', because: 'always', confidence: 0.9 }],
    default: 'low',
  }],
  edges: [{ from: START, to: 'prep' }, { from: 'prep', to: 'level' }, { from: 'level', to: 'work' }, { from: 'work', to: 'finish' }, { from: 'finish', to: END }],
});

let database: TestDatabase;
let sg: Stagegraph;
let evaluator: Evaluator;

beforeAll(async () => {
  database = await testDatabase();
  sg = await createStagegraph({ workflows: [evaluated], database: database.db, recover: false });
  evaluator = new Evaluator(database.db.pool);
});
afterAll(async () => {
  await sg?.close();
  await database?.drop();
});

interface Batch {
  since: Date;
  ids: string[];
}

/** `n` runs one after another (requests 0..n-1), each to its end; `since` is the database's clock before the first. */
async function batch(n: number, expected: (i: number) => string = () => 'completed'): Promise<Batch> {
  const since = (await database.db.pool.query<{ now: Date }>('SELECT now() AS now')).rows[0]!.now;
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const run = await sg.runs.start({ workflowId: 'evaluated', request: { n: i } });
    expect((await sg.runs.wait(run.id)).status).toBe(expected(i));
    ids.push(run.id);
  }
  return { since, ids };
}

const flagged = (r: CheckReport) => r.regressions.map((c) => [c.stage, c.metric]);
const COMPARED = [
  [null, 'successRate'], [null, 'duration'],
  ['finish', 'successRate'], ['finish', 'duration'], ['prep', 'successRate'], ['prep', 'duration'], ['work', 'successRate'], ['work', 'duration'],
];

describe('the evaluator on real runs', () => {
  let slow: Batch;

  it('stays silent on unchanged runs: three baselines in a row, each checked against a new batch', async () => {
    const first = await batch(BATCH);
    let baseline = await evaluator.recordBaseline('evaluated', { since: first.since });
    expect(baseline.window.runs).toBe(BATCH);
    expect(baseline.samples.runs.map((r) => r.runId).sort()).toEqual([...first.ids].sort());
    for (let round = 1; round <= 3; round++) {
      const next = await batch(BATCH);
      const report = await evaluator.check('evaluated');
      expect(report.baseline!.id).toBe(baseline.id);
      expect(report.window.runs).toBe(BATCH);
      expect(report.comparisons.map((c) => [c.stage, c.metric])).toEqual(COMPARED);
      for (const c of report.comparisons) expect(c.samples, `${c.stage} ${c.metric}`).toEqual({ baseline: BATCH, current: BATCH });
      const work = report.comparisons.find((c) => c.stage === 'work' && c.metric === 'duration')!;
      console.log(`round ${round}: work ${work.verdict}`);
      expect(report.status, report.regressions.map((r) => r.verdict).join('; ')).toBe('ok');
      expect(report.regressions).toEqual([]);
      baseline = await evaluator.recordBaseline('evaluated', { since: next.since });
    }
  }, 240_000);

  it('flags the stage made 10 % slower, naming it and the runs', async () => {
    mode.workMs = WORK_MS * 1.1;
    try {
      slow = await batch(BATCH);
    } finally {
      mode.workMs = WORK_MS;
    }
    const report = await evaluator.check('evaluated');
    expect(report.status).toBe('regressed');
    // The workflow's time in stages is the work's time plus little: it regressed with it.
    expect(flagged(report)).toEqual([[null, 'duration'], ['work', 'duration']]);
    const work = report.regressions.find((c) => c.stage === 'work')!;
    console.log(`10 % slower: work ${work.verdict}`);
    expect(work.lowerBound!).toBeGreaterThan(0.05);
    expect(work.evidence.count).toBeGreaterThan(0);
    expect(work.evidence.runs.length).toBe(Math.min(10, work.evidence.count));
    for (const r of work.evidence.runs) expect(slow.ids).toContain(r.runId);
  }, 120_000);

  it('eval check on the command line: exit 1 with the stage and the runs; exit 2 without a baseline or with a bad --since', async () => {
    const env = { DATABASE_URL: database.url };
    const check = await stagegraphDone(['eval', 'check', '--workflow', 'evaluated'], env);
    expect(check.code, check.stderr).toBe(1);
    expect(check.stdout).toContain('evaluated: REGRESSED (2)');
    expect(check.stdout).toMatch(/✗ REGRESSION work duration: median \d+ ms -> \d+ ms/);
    expect(slow.ids.some((id) => check.stdout.includes(id))).toBe(true);
    const none = await stagegraphDone(['eval', 'check', '--workflow', 'nope'], env);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('error [baseline_not_found]');
    const bad = await stagegraphDone(['eval', 'baseline', '--since', 'last tuesday'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('error [invalid_date]');
  }, 120_000);

  describe('GET /api/evaluations', () => {
    let local: StagegraphServer;
    let other: StagegraphServer;
    let urls: { local: string; other: string };

    beforeAll(async () => {
      local = createServer({ stagegraph: sg, auth: { mode: 'none' }, logger: pino({ level: 'silent' }), validateResponses: true });
      other = createServer({ stagegraph: sg, auth: { mode: 'none', owner: 'bob' }, logger: pino({ level: 'silent' }), validateResponses: true });
      urls = { local: (await local.listen(0)).url, other: (await other.listen(0)).url };
    });
    afterAll(async () => {
      await local?.close();
      await other?.close();
    });

    it("answers each workflow's grades and the check against its baseline, the caller's only", async () => {
      const res = await fetch(`${urls.local}/api/evaluations`);
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body.threshold).toBe(0.1);
      expect(body.evaluations.map((e: { workflowId: string }) => e.workflowId)).toEqual(['evaluated']);
      const [e] = body.evaluations;
      const check = await evaluator.check('evaluated');
      expect(e.check.status).toBe('regressed');
      expect(check.status).toBe('regressed');
      expect(e.check.baseline.id).toBe(check.baseline!.id);
      expect(e.check.regressions.map((c: { stage: string | null; metric: string }) => [c.stage, c.metric])).toEqual(flagged(check));
      expect(e.metrics.grades.successRate).toEqual(expect.any(String));
      expect(e.metrics.stages.map((s: { stage: string }) => s.stage)).toEqual(['finish', 'prep', 'work']);

      const one = await fetch(`${urls.local}/api/evaluations/evaluated?limit=50`);
      expect(one.status).toBe(200);
      expect((await one.json()).window.runs).toBe(50);
      const missing = await fetch(`${urls.local}/api/evaluations/nope`);
      expect(missing.status).toBe(404);
      expect((await missing.json()).error.code).toBe('workflow_not_found');
      const bad = await fetch(`${urls.local}/api/evaluations?limit=0`);
      expect(bad.status).toBe(400);
      expect((await bad.json()).error.code).toBe('invalid_request');

      const bob = await fetch(`${urls.other}/api/evaluations`);
      expect((await bob.json()).evaluations).toEqual([]);
      const bobOne = await (await fetch(`${urls.other}/api/evaluations/evaluated`)).json();
      expect(bobOne).toMatchObject({ window: { runs: 0 }, check: { status: 'no_baseline', baseline: null, regressions: [] } });
    });

    it("the dashboard's overview shows the grades and the regressions with links to their runs", async () => {
      const body = await (await fetch(`${urls.local}/api/evaluations`)).json();
      const [e] = body.evaluations;
      await buildDashboard();
      const browser = await launchBrowser();
      try {
        const page = browser.page;
        page.setDefaultTimeout(20_000);
        const errors: string[] = [];
        page.on('pageerror', (err) => errors.push(err.message));
        await page.goto(`${urls.local}/#/overview`);
        const row = page.locator('.eval-table tbody tr[data-workflow="evaluated"]');
        await row.waitFor();
        expect(await row.getAttribute('data-grade')).toBe(e.metrics.grade);
        expect(await row.getAttribute('data-check')).toBe('regressed');
        expect(await row.locator('td[data-metric="successRate"] .grade').textContent()).toBe(e.metrics.grades.successRate);
        const items = page.locator('.regressions li');
        expect(await items.evaluateAll((els) => els.map((el) => [(el as HTMLElement).dataset.stage || null, (el as HTMLElement).dataset.metric])))
          .toEqual(e.check.regressions.map((r: { stage: string | null; metric: string }) => [r.stage, r.metric]));
        const firstRun = e.check.regressions[0].evidence.runs[0].runId;
        expect(await items.first().locator('a').first().getAttribute('href')).toBe(`#/runs/${firstRun}`);
        expect(await unnamedControls(page)).toEqual([]);
        expect(errors).toEqual([]);
      } finally {
        await browser.close();
      }
    }, 300_000);
  });

  it('flags a lower success rate with the failed runs and their error', async () => {
    mode.failEveryOther = true;
    let failing: Batch;
    try {
      failing = await batch(BATCH, (i) => (i % 2 ? 'failed' : 'completed'));
    } finally {
      mode.failEveryOther = false;
    }
    const report = await evaluator.check('evaluated', { since: failing.since });
    expect(report.window.runs).toBe(BATCH);
    expect(flagged(report)).toEqual([[null, 'successRate'], ['work', 'successRate']]);
    const [wf, work] = report.regressions;
    const failed = failing.ids.filter((_, i) => i % 2).sort();
    for (const r of [wf!, work!]) {
      expect(r).toMatchObject({ baseline: 1, current: 0.5, change: -0.5, evidence: { count: BATCH / 2 } });
      expect(r.pValue!).toBeLessThan(0.001);
      expect(r.evidence.runs.map((x) => x.runId).every((id) => failed.includes(id))).toBe(true);
      expect(r.evidence.runs[0]!.error).toEqual({ class: 'fatal', code: 'work_broken', stage: 'work' });
    }
    // Half the runs never reached finish, and work has 15 successful attempts: too few to compare their durations.
    expect(report.comparisons.find((c) => c.stage === 'work' && c.metric === 'duration')!.verdict).toContain('too few samples');

    const { metrics } = await evaluator.evaluate('evaluated', { since: failing.since });
    expect(metrics.runs).toEqual({ finished: BATCH, completed: BATCH / 2, failed: BATCH / 2, aborted: 0 });
    expect(metrics.failures).toEqual({
      total: 15, rate: 0.5, byClass: { transient: 0, validation: 0, degradable: 0, fatal: 15 }, rateByClass: { transient: 0, validation: 0, degradable: 0, fatal: 0.5 },
    });
    expect(metrics.grades.successRate).toBe('POOR');
    expect(metrics.stages.find((s) => s.stage === 'work')).toMatchObject({ executions: 30, successes: 15, successRate: 0.5, errors: { total: 15, byClass: { fatal: 15 } } });
  }, 120_000);

  it('metrics: errors by class, retries, decision confidence and agreement with feedback, graded', async () => {
    mode.flakyFinish = true;
    let m: Batch;
    try {
      m = await batch(6);
    } finally {
      mode.flakyFinish = false;
    }
    const verdicts = ['agree', 'agree', 'agree', 'disagree'] as const;
    for (const [i, verdict] of verdicts.entries()) {
      const decision = (await sg.runs.get(m.ids[i]!)).decisions[0]!;
      await sg.decisions.recordFeedback({ decisionId: decision.id, owner: 'local', verdict });
    }
    const { window, metrics } = await evaluator.evaluate('evaluated', { since: m.since });
    expect(window.runs).toBe(6);
    expect(metrics.successRate).toBe(1);
    // finish's input is request + 2: requests 1 and 4 hit a transient hiccup, retried once each.
    expect(metrics.retries).toEqual({ executions: 18, retries: 2, rate: 2 / 18 });
    expect(metrics.errors).toEqual({
      total: 2, rate: 2 / 20, byClass: { transient: 2, validation: 0, degradable: 0, fatal: 0 }, rateByClass: { transient: 2 / 20, validation: 0, degradable: 0, fatal: 0 },
    });
    expect(metrics.stages.find((s) => s.stage === 'finish')).toMatchObject({ executions: 6, successes: 6, attempts: 8, retries: 2, errors: { total: 2, byClass: { transient: 2 } } });
    expect(metrics.decisions).toEqual({ count: 6, meanConfidence: 0.9, byPoint: [{ point: 'level', count: 6, meanConfidence: 0.9, agree: 3, disagree: 1, agreement: 0.75 }] });
    expect(metrics.feedback).toEqual({ agree: 3, disagree: 1, agreement: 0.75 });
    expect(metrics.grades).toMatchObject({ successRate: 'EXCELLENT', retries: 'FAIR', errors: 'FAIR', decisions: 'EXCELLENT', feedback: 'GOOD' });
    expect(metrics.grade).toBe(overallGrade(Object.values(metrics.grades)));
  }, 120_000);

  it("is scoped to an owner: another owner's evaluation sees neither these runs nor their baselines", async () => {
    expect(await evaluator.workflows({ owner: 'bob' })).toEqual([]);
    const bob = await evaluator.check('evaluated', { owner: 'bob' });
    expect(bob).toMatchObject({ status: 'no_baseline', baseline: null, window: { runs: 0 } });
    expect(await evaluator.baselines('bob')).toEqual([]);
    expect((await evaluator.baselines('local')).length).toBe(4);
  });

  it('refuses a bad window with invalid_input; a check whose window ends before its baseline compares nothing', async () => {
    for (const bad of [{ since: 'last tuesday' }, { limit: 0 }, { limit: 1.5 }, { since: '2026-02-01T00:00:00Z', until: '2026-01-01T00:00:00Z' }]) {
      const e = await evaluator.evaluate('evaluated', bad).catch((x: unknown) => x);
      expect(e instanceof StagegraphError && e.code, JSON.stringify(bad)).toBe('invalid_input');
    }
    const early = await evaluator.check('evaluated', { until: '2020-01-01T00:00:00Z' });
    expect(early).toMatchObject({ status: 'ok', window: { runs: 0 }, regressions: [] });
    expect(early.comparisons.every((c) => c.verdict.startsWith('too few samples'))).toBe(true);
  });
});
