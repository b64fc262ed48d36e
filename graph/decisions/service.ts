/**
 * The decisions API behind the server and the CLI: feedback on a decision (which
 * teaches the owner's preferences), resetting them, explaining a decision, and replay.
 * Owner checks live here: another owner's decision is `decision_not_found`.
 */
import { StagegraphError } from '../../nodes/errors.ts';
import { explainDecision, type DecisionExplanation } from './explain.ts';
import type { LedgerEntry, PgDecisionLedger } from './pg-ledger.ts';
import type { PgPreferenceStore, StoredFeedback } from './pg-preferences.ts';
import { feedbackChanges, type FeedbackVerdict, type PreferenceWeights } from './preferences.ts';
import { replayDecisions, type PointResolver, type ReplayReport } from './replay.ts';

/** Feedback on one decision by the owner of its run. */
export interface FeedbackRequest {
  decisionId: string;
  owner: string;
  verdict: FeedbackVerdict;
  /** With `disagree`: the option the owner would have chosen (one of the decision's options). */
  preferred?: string;
  /** Free text, kept with the feedback. */
  reason?: string;
}

export interface FeedbackResult extends StoredFeedback {
  decisionId: string;
  point: string;
}

export interface DecisionsDeps {
  ledger: PgDecisionLedger;
  preferences: PgPreferenceStore;
  /** The current definition of a point, by workflow id and point name. */
  points: PointResolver;
}

const invalid = (message: string, details: Record<string, unknown>) =>
  new StagegraphError('invalid_feedback', message, { class: 'validation', details });

export class Decisions {
  constructor(private readonly deps: DecisionsDeps) {}

  /** The current point definitions, as `replayDecisions` takes them. */
  get points(): PointResolver {
    return this.deps.points;
  }

  /**
   * A decision with its run; `owner` given: only that owner's.
   * @throws StagegraphError `decision_not_found` (unknown id, or another owner's decision)
   */
  async get(decisionId: string, owner?: string): Promise<LedgerEntry> {
    const entry = await this.deps.ledger.find(decisionId);
    if (!entry || (owner !== undefined && entry.owner !== owner)) {
      throw new StagegraphError('decision_not_found', `decision ${decisionId} not found`, { class: 'validation', details: { decisionId } });
    }
    return entry;
  }

  /**
   * Records feedback and moves the owner's weights for that point by at most one step
   * (a second feedback on the same decision replaces the first).
   * @throws StagegraphError `decision_not_found`, `invalid_feedback`
   * @example await sg.decisions.recordFeedback({ decisionId, owner: 'alice', verdict: 'disagree', preferred: 'III', reason: 'fleet runs at -50 C' })
   */
  async recordFeedback(input: FeedbackRequest): Promise<FeedbackResult> {
    if (input.verdict !== 'agree' && input.verdict !== 'disagree') {
      throw invalid(`verdict must be 'agree' or 'disagree', got '${String(input.verdict)}'`, { verdict: input.verdict });
    }
    if (input.reason !== undefined && typeof input.reason !== 'string') throw invalid('reason must be a string', { reason: input.reason });
    const { record, workflowId } = await this.get(input.decisionId, input.owner);
    const { preferred, verdict } = input;
    if (preferred !== undefined) {
      if (!record.options.includes(preferred)) {
        throw invalid(`preferred option '${preferred}' is not one of ${record.options.map((o) => `'${o}'`).join(', ')}`, { preferred, options: record.options });
      }
      if (verdict === 'disagree' && preferred === record.chosen) throw invalid(`'disagree' names the chosen option '${preferred}' as preferred`, { preferred });
      if (verdict === 'agree' && preferred !== record.chosen) throw invalid(`'agree' names '${preferred}' as preferred, but '${record.chosen}' was chosen`, { preferred, chosen: record.chosen });
    }
    const point = this.deps.points(workflowId, record.point);
    const changes = feedbackChanges(point, record, verdict, verdict === 'disagree' ? preferred : undefined);
    const stored = await this.deps.preferences.applyFeedback({
      decisionId: record.id, owner: input.owner, point: record.point, verdict, preferred, reason: input.reason, changes,
    });
    return { ...stored, decisionId: record.id, point: record.point };
  }

  /** Forgets an owner's learned preferences, for one point or all. Returns the weights removed. */
  resetPreferences(owner: string, point?: string): Promise<number> {
    return this.deps.preferences.reset(owner, point);
  }

  /** An owner's learned weights by point. */
  preferencesOf(owner: string): Promise<Record<string, PreferenceWeights>> {
    return this.deps.preferences.forOwner(owner);
  }

  /**
   * A human-readable explanation with counterfactuals (see `explainDecision`).
   * @throws StagegraphError `decision_not_found`
   */
  async explain(decisionId: string, owner?: string): Promise<DecisionExplanation & { runId: string }> {
    const entry = await this.get(decisionId, owner);
    const point = this.deps.points(entry.workflowId, entry.record.point);
    return { ...explainDecision(entry.record, point, { runId: entry.runId }), runId: entry.runId };
  }

  /** Replays recorded decisions against the current rules and preferences (never the LLM). */
  replay(options: { since?: Date; owner?: string } = {}): Promise<ReplayReport> {
    return replayDecisions({ ledger: this.deps.ledger, points: this.deps.points, preferences: this.deps.preferences, ...options });
  }
}
