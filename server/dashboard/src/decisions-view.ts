/**
 * A decision as a card: what was chosen and how (rule, LLM, learned preference or
 * default), the explanation, the evidence with its clauses and sources, the
 * alternatives with the reason each lost, the confidence, and agree / disagree
 * feedback (which teaches the owner's preferences for later runs).
 */
import type { DecisionRecord } from '../../../graph/decisions/types.ts';
import { fmtTime, h } from './dom.ts';

export type Verdict = 'agree' | 'disagree';

export interface FeedbackSender {
  /** Sends the feedback; rejects with a readable error. */
  send(decision: DecisionRecord, verdict: Verdict, preferred?: string, reason?: string): Promise<void>;
}

const METHOD_TEXT: Record<DecisionRecord['method'], string> = {
  rule: 'decided by rule',
  llm: 'decided by the LLM',
  preference: 'decided by a learned preference',
  default: 'default (no rule decided)',
};

export function decisionCard(d: DecisionRecord, feedback: FeedbackSender | string): HTMLElement {
  const base = `decision-${d.id}`;
  const status = h('p', { class: 'feedback-status', role: 'status' });
  const card = h('article', { class: 'decision-card', 'data-point': d.point, 'aria-labelledby': `${base}-h` },
    h('header', {},
      h('h3', { id: `${base}-h` }, d.point, d.iteration > 0 ? h('span', { class: 'iteration' }, ` (loop ${d.iteration + 1})`) : null),
      h('p', { class: 'chosen' }, 'chose ', h('strong', {}, d.chosen)),
      h('span', { class: `badge method-${d.method}` }, METHOD_TEXT[d.method]),
    ),
    h('div', { class: 'confidence' },
      h('label', { for: `${base}-conf` }, 'confidence'),
      h('meter', { id: `${base}-conf`, min: 0, max: 1, low: 0.5, high: 0.8, optimum: 1, value: d.confidence }),
      h('span', {}, `${Math.round(d.confidence * 100)} %`),
    ),
    h('p', { class: 'explanation' }, d.explanation),
    d.evidence.length
      ? h('section', { class: 'evidence' }, h('h4', {}, 'Evidence'),
        h('ul', {}, d.evidence.map((e) => h('li', {},
          h('code', {}, e.ruleId),
          e.dataPoint ? h('span', { class: 'data-point' }, ` ${e.dataPoint}`) : null,
          e.clause ? h('div', { class: 'clause' }, e.clause) : null,
          e.source ? h('div', { class: 'source' }, e.source) : null,
        ))))
      : null,
    d.alternatives.length
      ? h('section', { class: 'alternatives' }, h('h4', {}, 'Alternatives'),
        h('ul', {}, d.alternatives.slice(0, 6).map((a) => h('li', {}, h('strong', {}, a.option), ` — ${a.reason}`)),
          d.alternatives.length > 6 ? h('li', { class: 'more' }, `and ${d.alternatives.length - 6} more`) : null))
      : null,
    d.notes?.length ? h('ul', { class: 'notes' }, d.notes.map((n) => h('li', {}, n))) : null,
    h('p', { class: 'decided-at', 'data-volatile': true }, `decided ${fmtTime(d.decidedAt)}`),
    feedbackControls(d, feedback, status, base),
    status,
  );
  return card;
}

function feedbackControls(d: DecisionRecord, feedback: FeedbackSender | string, status: HTMLElement, base: string): HTMLElement {
  const wrap = h('div', { class: 'feedback', role: 'group', 'aria-label': `Feedback on ${d.point}` });
  if (typeof feedback === 'string') {
    wrap.append(
      h('button', { type: 'button', disabled: true, title: feedback }, 'Agree'),
      h('button', { type: 'button', disabled: true, title: feedback }, 'Disagree'),
      h('span', { class: 'hint' }, feedback),
    );
    return wrap;
  }
  const others = d.options.filter((o) => o !== d.chosen);
  const preferred = h('select', { id: `${base}-pref` }, h('option', { value: '' }, '(no preference)'), others.map((o) => h('option', { value: o }, o)));
  const reason = h('input', { id: `${base}-why`, type: 'text', maxlength: 500, placeholder: 'why (optional)' });
  const form = h('form', { class: 'disagree-form', hidden: true },
    h('label', { for: `${base}-pref` }, 'Preferred option'), preferred,
    h('label', { for: `${base}-why` }, 'Reason'), reason,
    h('button', { type: 'submit' }, 'Send disagreement'),
  );
  const agree = h('button', { type: 'button', 'aria-pressed': 'false' }, 'Agree');
  const disagree = h('button', { type: 'button', 'aria-pressed': 'false', 'aria-expanded': 'false' }, 'Disagree');
  const send = async (verdict: Verdict) => {
    status.textContent = 'sending…';
    try {
      await feedback.send(d, verdict, verdict === 'disagree' ? preferred.value || undefined : undefined, verdict === 'disagree' ? reason.value || undefined : undefined);
      agree.setAttribute('aria-pressed', String(verdict === 'agree'));
      disagree.setAttribute('aria-pressed', String(verdict === 'disagree'));
      form.hidden = true;
      disagree.setAttribute('aria-expanded', 'false');
      status.textContent = verdict === 'agree' ? 'Recorded: you agree.' : 'Recorded: you disagree.';
      wrap.dataset.sent = verdict;
    } catch (e) {
      status.textContent = `Feedback not recorded: ${(e as Error).message}`;
    }
  };
  agree.addEventListener('click', () => void send('agree'));
  disagree.addEventListener('click', () => {
    form.hidden = !form.hidden;
    disagree.setAttribute('aria-expanded', String(!form.hidden));
    if (!form.hidden) preferred.focus();
  });
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void send('disagree');
  });
  wrap.append(agree, disagree, form);
  return wrap;
}
