/**
 * Replay: re-evaluates recorded decisions (from `sg_decisions`) against the current
 * rules and the owners' current preferences, and reports which would now go
 * differently and why. Deterministic: it never calls the LLM, so a decision the LLM
 * made is only replayable once rules (or a preference) decide it.
 */
import { decide } from './decide.ts';
import { decidingRules } from './explain.ts';
import type { LedgerEntry } from './pg-ledger.ts';
import type { LearnedPreferences, PreferenceSource } from './preferences.ts';
import type { DecisionMethod, DecisionPoint, DecisionRecord } from './types.ts';

/** The current definition of a point, by workflow and name. */
export type PointResolver = (workflowId: string, point: string) => DecisionPoint | undefined;

export interface ReplayOptions {
  /** Where recorded decisions come from (`Stagegraph.ledger`). */
  ledger: { list(query: { since?: Date; owner?: string }): Promise<LedgerEntry[]> };
  /** Only decisions recorded at or after this time. @default all */
  since?: Date;
  /** Current decision points by name, or a resolver by workflow and name. */
  points: Map<string, DecisionPoint> | PointResolver;
  /** Owners' current preferences. @default none (rules and defaults only) */
  preferences?: PreferenceSource;
  /** Only this owner's runs. @default all owners */
  owner?: string;
}

/** A decision's outcome: what, how, how sure, on which rules. */
export interface ReplayOutcome {
  chosen: string;
  method: DecisionMethod;
  confidence: number;
  ruleIds: string[];
}

export interface ReplayChange {
  decisionId: string;
  runId: string;
  owner: string;
  workflowId: string;
  point: string;
  iteration: number;
  branch: string;
  decidedAt: string;
  before: ReplayOutcome;
  after: ReplayOutcome;
  /** One sentence: what changed and why (the new explanation). */
  why: string;
}

export interface ReplaySkip {
  decisionId: string;
  runId: string;
  point: string;
  method: DecisionMethod;
  reason: string;
}

export interface ReplayReport {
  /** Distinct decisions looked at (a decision copied to a restored branch counts once). */
  examined: number;
  changed: ReplayChange[];
  unchanged: number;
  /** Not replayable deterministically (LLM decisions the rules still leave open, unknown points, errors). */
  skipped: ReplaySkip[];
}

const outcome = (r: DecisionRecord): ReplayOutcome => ({ chosen: r.chosen, method: r.method, confidence: r.confidence, ruleIds: decidingRules(r) });
const by = (o: ReplayOutcome): string => `${o.method}${o.ruleIds.length ? ` ${o.ruleIds.map((i) => `'${i}'`).join(', ')}` : ''}`;

/**
 * Replays recorded decisions.
 * @example const report = await replayDecisions({ ledger: sg.ledger, points: sg.decisions.points, since: new Date('2026-01-01') });
 */
export async function replayDecisions(options: ReplayOptions): Promise<ReplayReport> {
  const resolve: PointResolver = typeof options.points === 'function' ? options.points : (_w, name) => (options.points as Map<string, DecisionPoint>).get(name);
  const prefs = new Map<string, Promise<LearnedPreferences | undefined>>();
  const preferencesOf = (owner: string, point: string) => {
    const key = JSON.stringify([owner, point]);
    if (!prefs.has(key)) prefs.set(key, options.preferences?.load(owner, point) ?? Promise.resolve(undefined));
    return prefs.get(key)!;
  };
  const report: ReplayReport = { examined: 0, changed: [], unchanged: 0, skipped: [] };
  const seen = new Set<string>();
  for (const entry of await options.ledger.list({ since: options.since, owner: options.owner })) {
    const r = entry.record;
    const key = JSON.stringify([entry.runId, r.point, r.iteration, r.decidedAt, r.chosen]);
    if (seen.has(key)) continue;
    seen.add(key);
    report.examined++;
    const skip = (reason: string) => report.skipped.push({ decisionId: r.id, runId: entry.runId, point: r.point, method: r.method, reason });
    const point = resolve(entry.workflowId, r.point);
    if (!point) {
      skip(`decision point '${r.point}' of workflow '${entry.workflowId}' is not registered`);
      continue;
    }
    let now: DecisionRecord;
    try {
      now = await decide(point, r.inputs, { iteration: r.iteration, preferences: await preferencesOf(entry.owner, r.point) });
    } catch (e) {
      skip(`the current point cannot evaluate the recorded inputs (${(e as { code?: string }).code ?? 'error'})`);
      continue;
    }
    if (r.method === 'llm' && now.method === 'default') {
      skip('decided by the LLM and the current rules still give no verdict; replay never calls the LLM');
      continue;
    }
    if (now.chosen === r.chosen) {
      report.unchanged++;
      continue;
    }
    const before = outcome(r);
    const after = outcome(now);
    report.changed.push({
      decisionId: r.id, runId: entry.runId, owner: entry.owner, workflowId: entry.workflowId, point: r.point,
      iteration: r.iteration, branch: entry.branch, decidedAt: r.decidedAt, before, after,
      why: `was ${before.chosen} by ${by(before)}, now ${after.chosen} by ${by(after)}: ${now.explanation}`,
    });
  }
  return report;
}

/**
 * The report as text for a terminal (`stagegraph decisions replay`).
 * @example console.log(formatReplayReport(await sg.decisions.replay({ since })));
 */
export function formatReplayReport(report: ReplayReport): string {
  const lines = [`${report.examined} decisions replayed: ${report.changed.length} would now go differently, ${report.unchanged} unchanged, ${report.skipped.length} not replayable.`];
  for (const c of report.changed) {
    lines.push(`- ${c.point} #${c.iteration} of run ${c.runId} (${c.owner}, ${c.decidedAt}), decision ${c.decisionId}`, `    ${c.why}`);
  }
  if (report.skipped.length) {
    lines.push('Not replayable:');
    for (const s of report.skipped) lines.push(`- ${s.point} of run ${s.runId}, decision ${s.decisionId} (${s.method}): ${s.reason}`);
  }
  return lines.join('\n');
}
