/**
 * The recovery dialog: for a run waiting for input, the question and a form for the
 * answer (built from the example patch `details.answerWith`); for a failed run, what
 * failed, what its error class means, and the recovery actions this server offers (a
 * recovery endpoint when it has one; otherwise retry or roll back through restore).
 */
import type { RunStatus } from '../../../graph/runs/status.ts';
import type { SerializedError } from '../../../nodes/errors.ts';
import { describeError, type Api } from './api.ts';
import { openDialog, type DialogHandle } from './dialog.ts';
import { fmtTime, h, mount } from './dom.ts';
import { ERROR_CLASS_MEANING } from './model.ts';

export interface Checkpoint {
  checkpointId: string;
  createdAt: string;
  step: number;
  next: string[];
  completed: string[];
}

export interface RecoveryContext {
  api: Api;
  runId: string;
  status: RunStatus;
  question: unknown;
  error: SerializedError | null;
  /** Called with a line for the page's status area after an action went through. */
  done: (message: string) => void;
}

interface Question {
  code?: string;
  stage?: string;
  question?: string;
  details?: { field?: string; answerWith?: unknown; question?: string };
}

type Leaf = { path: string[]; example: string | number | boolean };

/** The leaves of an example patch: `{ clarifications: { pressure: '70 MPa' } }` -> one leaf. */
export function leavesOf(value: unknown, path: string[] = []): Leaf[] {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return Object.entries(value).flatMap(([k, v]) => leavesOf(v, [...path, k]));
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return [{ path, example: value }];
  return [];
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let at = target;
  path.slice(0, -1).forEach((k) => (at = (at[k] ??= {}) as Record<string, unknown>));
  at[path[path.length - 1]!] = value;
}

function answerForm(ctx: RecoveryContext, q: Question, close: () => void, say: (t: string) => void): HTMLElement {
  const example = q.details?.answerWith;
  const leaves = leavesOf(example);
  const inputs = leaves.map((leaf, i) => {
    const id = `answer-${i}`;
    const input = h('input', { id, name: leaf.path.join('.'), type: typeof leaf.example === 'number' ? 'number' : 'text', placeholder: `e.g. ${leaf.example}`, required: true, autofocus: i === 0, step: 'any' });
    return { leaf, input, row: h('div', { class: 'field' }, h('label', { for: id }, leaf.path[leaf.path.length - 1]!), input) };
  });
  const json = h('textarea', { id: 'answer-json', rows: 3, spellcheck: false, placeholder: JSON.stringify(example ?? {}) });
  const form = h('form', { class: 'answer-form' },
    ...inputs.map((x) => x.row),
    h('details', {}, h('summary', {}, 'Answer as a JSON patch'),
      h('label', { for: 'answer-json' }, 'Patch merged into the stage input'), json,
      example !== undefined ? h('p', { class: 'hint' }, 'Shape: ', h('code', {}, JSON.stringify(example))) : null),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Send answer')),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    let answer: unknown;
    if (json.value.trim()) {
      try {
        answer = JSON.parse(json.value);
      } catch {
        return say('The JSON patch is not valid JSON.');
      }
    } else {
      const patch: Record<string, unknown> = {};
      for (const { leaf, input } of inputs) {
        if (!input.value.trim()) return say(`Fill in ${leaf.path.join('.')}.`);
        setPath(patch, leaf.path, typeof leaf.example === 'number' ? Number(input.value) : input.value.trim());
      }
      answer = patch;
    }
    say('sending…');
    ctx.api.client.answer(ctx.runId, answer as Record<string, unknown>).then(
      () => (close(), ctx.done('Answer sent; the run continues.')),
      (e: unknown) => say(`Not accepted: ${describeError(e)}`),
    );
  });
  return form;
}

async function act(say: (t: string) => void, close: () => void, ctx: RecoveryContext, what: string, fn: () => Promise<unknown>): Promise<void> {
  say(`${what}…`);
  try {
    await fn();
    close();
    ctx.done(`${what}: done.`);
  } catch (e) {
    say(`${what} failed: ${describeError(e)}`);
  }
}

const ACTION_LABEL: Record<string, string> = {
  retry: 'Retry the failed stage',
  skip: 'Skip the failed stage',
  rollback: 'Roll back to the last stable checkpoint',
  abort: 'Abort',
};
const REASON = 'from the dashboard';

/**
 * The recovery actions: with the server's recovery endpoint, one button per action its
 * schema lists (`{ action, reason, checkpointId? }`); without it, what restore and
 * abort can do (retry = restore the last checkpoint; roll back = restore an earlier one).
 */
function recoveryActions(ctx: RecoveryContext, close: () => void, say: (t: string) => void): HTMLElement {
  const wrap = h('div', { class: 'recovery-actions' });
  void ctx.api.capabilities().then(async (caps) => {
    const checkpoints = ((await ctx.api.client.checkpoints(ctx.runId).catch(() => ({ checkpoints: [] }))).checkpoints) as Checkpoint[];
    const latest = checkpoints[0];
    const buttons: HTMLElement[] = [];
    const recover = caps.recover;
    const post = (body: Record<string, unknown>) => () => ctx.api.post(recover!.path, { sessionId: ctx.runId }, { reason: REASON, ...body });
    if (recover) {
      // Waiting for input, the answer form is the way on; of the rest only these apply.
      const usable = ctx.status === 'waiting_input' ? recover.actions.filter((a) => a === 'rollback' || a === 'abort') : recover.actions.filter((a) => a !== 'provide_input');
      for (const action of usable) {
        const label = ACTION_LABEL[action] ?? action.replace(/_/g, ' ');
        buttons.push(h('button', { type: 'button', 'data-action': action, onclick: () => void act(say, close, ctx, label, post({ action })) }, label));
      }
    } else {
      if (ctx.status === 'failed') {
        buttons.push(h('button', {
          type: 'button', 'data-action': 'retry', disabled: !latest,
          onclick: () => void act(say, close, ctx, 'Retry', () => ctx.api.client.restore(ctx.runId, latest!.checkpointId)),
        }, 'Retry from the last checkpoint'));
      }
      buttons.push(h('button', {
        type: 'button', 'data-action': 'abort', disabled: ctx.status === 'failed', title: ctx.status === 'failed' ? 'a failed run has stopped already' : '',
        onclick: () => void act(say, close, ctx, 'Abort', () => ctx.api.client.abort(ctx.runId, 'aborted from the dashboard')),
      }, 'Abort'));
    }
    const select = h('select', { id: 'rollback-to' }, checkpoints.map((c) => h('option', { value: c.checkpointId }, `step ${c.step} · next ${c.next.join(', ') || 'end'} · ${fmtTime(c.createdAt)}`)));
    const rollback = recover?.actions.includes('rollback')
      ? () => post({ action: 'rollback', checkpointId: select.value })()
      : () => ctx.api.client.restore(ctx.runId, select.value);
    mount(wrap,
      h('div', { class: 'actions' }, buttons),
      checkpoints.length
        ? h('div', { class: 'rollback' },
          h('label', { for: 'rollback-to' }, 'Roll back to checkpoint'), select,
          h('button', { type: 'button', 'data-action': 'rollback-to', onclick: () => void act(say, close, ctx, 'Roll back', rollback) }, 'Roll back'))
        : null,
      !recover ? h('p', { class: 'hint' }, 'This server has no recovery endpoint: retry and roll back restore from a checkpoint (without compensation); skipping a failed stage is not offered.') : null,
    );
  });
  return wrap;
}

/** Opens the dialog for a run that waits for input or has failed. */
export function openRecoveryDialog(ctx: RecoveryContext): DialogHandle {
  const q = (ctx.question ?? {}) as Question;
  const title = ctx.status === 'waiting_input' ? 'The run needs your input' : 'The run failed';
  return openDialog(title, (close) => {
    const status = h('p', { class: 'dialog-status', role: 'status' });
    const say = (t: string) => void (status.textContent = t);
    const parts: Node[] = [];
    if (ctx.status === 'waiting_input') {
      parts.push(
        h('p', { class: 'question' }, q.question ?? q.details?.question ?? 'The run asks for more input.'),
        h('p', { class: 'meta' }, [q.stage ? `stage ${q.stage}` : '', q.code ? `(${q.code})` : ''].join(' ')),
        answerForm(ctx, q, close, say),
      );
    }
    const err = ctx.error;
    if (err) {
      parts.push(h('section', { class: 'error-info' },
        h('p', {}, h('code', {}, err.code), ' ', h('span', { class: `badge class-${err.class}` }, err.class), typeof err.details.stage === 'string' ? ` in ${err.details.stage}` : ''),
        h('p', { class: 'message' }, err.message),
        err.hint ? h('p', { class: 'hint' }, err.hint) : null,
        h('p', { class: 'class-meaning' }, ERROR_CLASS_MEANING[err.class]),
      ));
    }
    parts.push(h('h3', {}, ctx.status === 'waiting_input' ? 'Or' : 'Recover'), recoveryActions(ctx, close, say), status);
    return parts;
  }, { className: 'recovery' });
}
