/** The run view's smaller panels: controls, status banner, progress, checkpoints and hook deliveries. */
import type { DeliveryInfo } from '../../../graph/hooks/types.ts';
import type { RunStatus } from '../../../graph/runs/status.ts';
import { fmtMs, fmtTime, h, mount } from './dom.ts';
import type { RunModel } from './model.ts';
import type { Checkpoint } from './recovery.ts';

export interface ControlHandlers {
  pause(): void;
  resume(): void;
  abort(): void;
  recover(): void;
}

const CAN: Record<'pause' | 'resume' | 'abort', readonly RunStatus[]> = {
  pause: ['queued', 'running'],
  resume: ['paused'],
  abort: ['queued', 'running', 'paused', 'waiting_input'],
};

export class Controls {
  readonly el: HTMLElement;
  private readonly buttons: Record<'pause' | 'resume' | 'abort' | 'recover', HTMLButtonElement>;

  constructor(on: ControlHandlers) {
    this.buttons = {
      pause: h('button', { type: 'button', 'data-control': 'pause', onclick: () => on.pause() }, 'Pause'),
      resume: h('button', { type: 'button', 'data-control': 'resume', onclick: () => on.resume() }, 'Resume'),
      abort: h('button', { type: 'button', 'data-control': 'abort', class: 'danger', onclick: () => on.abort() }, 'Abort'),
      recover: h('button', { type: 'button', 'data-control': 'recover', class: 'primary', onclick: () => on.recover() }, 'Recover…'),
    };
    this.el = h('div', { class: 'controls', role: 'toolbar', 'aria-label': 'Run controls' }, Object.values(this.buttons));
  }

  update(status: RunStatus, busy: boolean): void {
    for (const k of ['pause', 'resume', 'abort'] as const) this.buttons[k].disabled = busy || !CAN[k].includes(status);
    const r = this.buttons.recover;
    r.hidden = status !== 'waiting_input' && status !== 'failed';
    r.textContent = status === 'waiting_input' ? 'Answer the question…' : 'Recover…';
  }
}

/** A line under the header saying what the run waits for, or how it ended. */
export function bannerText(m: RunModel): { text: string; tone: string } | undefined {
  const q = m.question as { question?: string } | null;
  switch (m.status) {
    case 'waiting_input':
      return { text: `Waiting for input: ${q?.question ?? 'the run asks a question.'}`, tone: 'warn' };
    case 'paused':
      return { text: m.pausedReason === 'shutdown' ? 'Paused by a server shutdown; it continues on restart, or resume it.' : 'Paused at a checkpoint. Resume to continue.', tone: 'info' };
    case 'failed':
      return { text: `Failed: ${m.error ? `${m.error.message} [${m.error.code}, ${m.error.class}]` : 'see the error.'}`, tone: 'bad' };
    case 'aborted':
      return { text: 'Aborted. Completed stages were compensated; partial results are kept.', tone: 'info' };
    case 'completed':
      return { text: m.degraded ? `Completed, degraded: ${m.warnings.join('; ')}` : 'Completed.', tone: m.degraded ? 'warn' : 'ok' };
    default:
      return undefined;
  }
}

export class ProgressPanel {
  readonly el: HTMLElement;
  private readonly bar = h('progress', { id: 'run-progress', max: 100, value: 0 });
  private readonly pct = h('span', { class: 'pct' });
  private readonly eta = h('span', { class: 'eta', 'data-volatile': true });
  private readonly stage = h('p', { class: 'stage-line', 'aria-live': 'polite' });

  constructor() {
    this.el = h('section', { class: 'progress-panel', 'aria-labelledby': 'progress-h' },
      h('h2', { id: 'progress-h' }, 'Progress'),
      h('div', { class: 'bar' }, h('label', { for: 'run-progress', class: 'sr-only' }, 'Run progress'), this.bar, this.pct),
      this.eta, this.stage);
  }

  update(m: RunModel, now = Date.now()): void {
    const pct = Math.max(0, Math.min(100, m.progressPct));
    this.bar.value = pct;
    this.pct.textContent = `${pct.toFixed(0)} %`;
    const running = m.status === 'running' || m.status === 'queued';
    this.eta.textContent = running && m.etaAt !== null ? `about ${fmtMs(Math.max(0, m.etaAt - now))} left` : m.durationMs !== undefined ? `took ${fmtMs(m.durationMs)}` : '';
    const current = [...m.stages].filter(([, st]) => st.status === 'running' || st.status === 'retrying').map(([n]) => n);
    this.stage.textContent = current.length ? `Running: ${current.join(', ')}${m.note ? ` — ${m.note}` : ''}` : m.status === 'running' ? 'Between stages' : '';
    this.stage.dataset.stages = current.join(',');
  }
}

export function checkpointsView(list: Checkpoint[], status: RunStatus, restore: (c: Checkpoint) => void): HTMLElement {
  const canRestore = ['paused', 'waiting_input', 'completed', 'failed', 'aborted'].includes(status);
  const table = h('table', { class: 'checkpoints' },
    h('caption', { class: 'sr-only' }, 'Checkpoints, newest first'),
    h('thead', {}, h('tr', {}, ['step', 'next', 'stages done', 'created', ''].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, list.map((c) => h('tr', { 'data-step': c.step },
      h('td', {}, String(c.step)),
      h('td', {}, c.next.join(', ') || 'end'),
      h('td', {}, String(c.completed.length)),
      h('td', { 'data-volatile': true }, fmtTime(c.createdAt)),
      h('td', {}, h('button', {
        type: 'button', disabled: !canRestore, 'aria-label': `Restore checkpoint at step ${c.step}`,
        title: canRestore ? 'Fork the run from here and continue' : 'pause the run first', onclick: () => restore(c),
      }, 'Restore')),
    ))),
  );
  const wrap = h('div', {});
  mount(wrap, list.length ? table : h('p', { class: 'empty' }, 'No checkpoints yet.'));
  return wrap;
}

/** The run's hook deliveries under its timeline: what ran, where, and how each attempt went (dead ones marked). */
export function hooksView(list: DeliveryInfo[]): HTMLElement {
  const state = (d: DeliveryInfo) => (d.status === 'failed' ? `retrying (next ${fmtTime(d.nextAt)})` : d.status);
  return h('table', { class: 'hooks' },
    h('caption', {}, 'Hooks'),
    h('thead', {}, h('tr', {}, ['event', 'stage', 'hook', 'status', 'attempts', 'last error'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, list.map((d) => h('tr', { 'data-delivery': d.id, 'data-status': d.status, class: d.status === 'dead' ? 'bad' : '' },
      h('td', {}, d.blocking ? `${d.event} (blocking)` : d.event),
      h('td', {}, d.stage ?? ''),
      h('td', { title: d.hookId }, d.target),
      h('td', {}, state(d)),
      h('td', { title: d.history.map((a) => `#${a.attempt} ${fmtTime(a.at)} ${a.ok ? 'ok' : a.error ?? 'failed'} (${fmtMs(a.ms)})`).join('\n') }, String(d.attempts)),
      h('td', {}, d.lastError ?? ''),
    ))),
  );
}
