/**
 * One run, live: the workflow graph with the current stage, progress and ETA, the
 * stage timeline, decision cards, the Pareto front, analyses and compliance,
 * artifacts, checkpoints and the controls. State comes from the run's events (REST
 * backfill, then the live stream; each seq applied once); the larger views (timeline,
 * partial results, artifacts, checkpoints) are re-read over REST when events say
 * they changed.
 */
import { TERMINAL_EVENTS, type RunEvent } from '../../../client/index.ts';
import type { DecisionRecord } from '../../../graph/decisions/types.ts';
import { describeError, type Api } from './api.ts';
import { paretoPlot, ganttChart, type ParetoPoint } from './charts.ts';
import { confirmDialog } from './dialog.ts';
import { decisionCard, type FeedbackSender } from './decisions-view.ts';
import { h, mount, perFrame, shortId, throttle } from './dom.ts';
import { WorkflowGraph, type WorkflowInfo } from './graph-view.ts';
import { startedHere } from './home-view.ts';
import { applyEvent, latestDecisions, newRunModel, resyncStages, type RunModel } from './model.ts';
import { openRecoveryDialog, type Checkpoint } from './recovery.ts';
import { analysesView, artifactsView, complianceView } from './results-view.ts';
import { bannerText, checkpointsView, Controls, hooksView, ProgressPanel } from './run-panels.ts';


function section(id: string, title: string, ...body: Node[]): HTMLElement {
  return h('section', { class: `panel panel-${id}`, 'aria-labelledby': `${id}-h` }, h('h2', { id: `${id}-h` }, title), ...body);
}

/** The evaluated designs of a run with an `evaluate-front` stage (the flagship), as plot points. */
function frontOf(outputs: Record<string, unknown>): ParetoPoint[] {
  const designs = (outputs['evaluate-front'] as { designs?: { id: string; totals?: { massKg: number; costUsd: number } }[] } | undefined)?.designs ?? [];
  return designs.filter((d) => d.totals).map((d) => ({ id: d.id, massKg: d.totals!.massKg, costUsd: d.totals!.costUsd }));
}

export class RunView {
  readonly el: HTMLElement;
  readonly model: RunModel;
  private graph?: WorkflowGraph;
  private readonly controls: Controls;
  private readonly progress = new ProgressPanel();
  private readonly banner = h('p', { class: 'banner', role: 'status' });
  private readonly notice = h('p', { class: 'notice', role: 'status', 'aria-live': 'polite' });
  private readonly title = h('h1', {});
  private readonly meta = h('p', { class: 'meta' });
  private readonly graphBox = h('div', { class: 'graph-box' });
  private readonly gantt = h('div', { class: 'gantt-box', 'data-volatile': true });
  private readonly hookList = h('div', { class: 'hooks-box', hidden: true });
  private hooksAgain?: ReturnType<typeof setTimeout>;
  private readonly cards = h('div', { class: 'cards' });
  private readonly pareto = h('div', { class: 'pareto-box' });
  private readonly paretoPanel = section('pareto', 'Pareto front', this.pareto);
  private readonly analyses = h('div', {});
  private readonly compliance = h('div', {});
  private readonly artifacts = h('div', {});
  private readonly checkpoints = h('div', {});
  private readonly cardIds = new Set<string>();
  private outputs: Record<string, unknown> = {};
  private busy = false;
  private backfilling?: Promise<void>;
  private again = false;
  private lastAlerted = 0;
  private resyncing = false;
  private closed = false;
  private readonly tick: ReturnType<typeof setInterval>;
  private readonly render = perFrame(() => this.draw());
  private readonly refreshTimeline = throttle(() => void this.loadTimeline(), 400);
  private readonly refreshOutputs = throttle(() => void this.loadOutputs(), 500);
  private readonly refreshCheckpoints = throttle(() => void this.loadCheckpoints(), 500);

  constructor(private readonly api: Api, readonly runId: string, private readonly workflows: Map<string, WorkflowInfo>, private readonly feedback: FeedbackSender | string) {
    this.model = newRunModel(runId);
    this.controls = new Controls({
      pause: () => void this.control('Pause', () => api.client.pause(runId)),
      resume: () => void this.control('Resume', () => api.client.resume(runId)),
      abort: () => void this.abort(),
      recover: () => this.openRecovery(),
    });
    this.el = h('section', { id: 'run-view', 'data-run': runId, 'aria-labelledby': 'run-title' },
      h('div', { class: 'run-overview' },
        h('header', { class: 'run-header' }, this.title, this.meta, this.controls.el),
        this.banner,
        this.notice,
        h('div', { class: 'run-top' },
          section('graph', 'Workflow', this.graphBox),
          h('div', { class: 'run-side' }, this.progress.el, this.paretoPanel),
        ),
      ),
      section('timeline', 'Stage timeline', this.gantt, this.hookList),
      section('decisions', 'Decisions', this.cards),
      section('analyses', 'Analyses', this.analyses),
      section('compliance', 'Compliance', this.compliance),
      section('artifacts', 'Artifacts', this.artifacts),
      section('checkpoints', 'Checkpoints', this.checkpoints),
    );
    this.title.id = 'run-title';
    this.tick = setInterval(() => this.model.status === 'running' && this.render(), 1000);
  }

  async load(): Promise<void> {
    const detail = await this.api.client.getRun(this.runId);
    this.model.status = detail.status;
    this.model.workflow = detail.workflow;
    this.title.replaceChildren('Run ', h('span', { class: 'run-id', 'data-volatile': true }, shortId(this.runId)));
    const request = typeof detail.request === 'string' ? detail.request : JSON.stringify(detail.request);
    this.meta.replaceChildren(h('span', { class: 'wf' }, detail.workflow), ' · ', h('q', {}, request.length > 160 ? `${request.slice(0, 160)}…` : request));
    const wf = this.workflows.get(detail.workflow);
    if (wf) {
      this.graph = new WorkflowGraph(wf);
      mount(this.graphBox, this.graph.el);
    }
    // The Pareto front belongs to workflows that evaluate one (the flagship).
    this.paretoPanel.hidden = !wf?.nodes.some((n) => n.id === 'evaluate-front');
    await this.backfill();
    this.model.question = detail.question ?? this.model.question;
    this.model.error = detail.error ?? this.model.error;
    // The dialog opens by itself for a question, and for a failure that happened while
    // this page watched (the run was started here); later stops open it as they come.
    const m = this.model;
    const waiting = m.status === 'waiting_input' || (m.status === 'failed' && startedHere.has(this.runId));
    this.lastAlerted = m.lastSeq;
    await Promise.all([this.loadTimeline(), this.loadOutputs(), this.loadArtifacts(), this.loadCheckpoints()]);
    this.render();
    if (waiting && !this.closed && !document.querySelector('dialog[open]')) this.openRecovery();
  }

  dispose(): void {
    this.closed = true;
    clearInterval(this.tick);
    clearTimeout(this.hooksAgain);
  }

  /** A live event of any run; this view takes its own run's. */
  onEvent(e: RunEvent): void {
    if (e.runId !== this.runId || this.closed) return;
    const r = applyEvent(this.model, e);
    if (r === 'gap') return void this.backfill();
    if (r === 'duplicate') return;
    this.after(e);
    this.render();
  }

  /** After a reconnect: catch up from the last seq, re-read the REST views. */
  async resync(): Promise<void> {
    await this.backfill();
    await Promise.all([this.loadTimeline(), this.loadOutputs(), this.loadArtifacts(), this.loadCheckpoints()]);
    this.render();
  }

  private after(e: RunEvent): void {
    if (e.type === 'workflow.stage_changed') {
      this.refreshTimeline();
      if (e.payload.change === 'completed') this.refreshOutputs();
    }
    if (e.type === 'workflow.decision_made') this.refreshOutputs();
    if (TERMINAL_EVENTS.has(e.type) || e.type === 'workflow.paused' || e.type === 'workflow.resumed') {
      this.refreshTimeline();
      this.refreshCheckpoints();
      this.refreshOutputs();
      if (e.type === 'workflow.completed') void this.loadArtifacts();
    }
    if (this.model.needsResync && !this.resyncing) {
      this.resyncing = true;
      void this.api.client.getRun(this.runId)
        .then((d) => (resyncStages(this.model, d), this.render()), () => undefined)
        .finally(() => (this.resyncing = false));
    }
    const stops = (e.type === 'workflow.paused' && e.payload.reason === 'input') || e.type === 'workflow.failed';
    if (stops && e.seq > this.lastAlerted && !this.backfilling) {
      this.lastAlerted = e.seq;
      if (!document.querySelector('dialog[open]')) queueMicrotask(() => this.openRecovery());
    }
  }

  /** Reads logged events after the last applied seq until there are no more (one reader at a time). */
  private backfill(): Promise<void> {
    if (this.backfilling) {
      this.again = true;
      return this.backfilling;
    }
    this.backfilling = (async () => {
      do {
        this.again = false;
        for (;;) {
          const page = await this.api.client.eventsSince(this.runId, { since: this.model.lastSeq, limit: 1000 });
          for (const e of page.events) if (applyEvent(this.model, e) === 'applied') this.after(e);
          if (!page.more) break;
        }
      } while (this.again);
    })().finally(() => {
      this.backfilling = undefined;
      this.render();
    });
    return this.backfilling;
  }

  private async control(what: string, fn: () => Promise<unknown>): Promise<void> {
    this.busy = true;
    this.render();
    try {
      await fn();
      this.say(`${what}: done.`);
    } catch (e) {
      this.say(`${what} failed: ${describeError(e)}`);
    } finally {
      this.busy = false;
      await this.backfill().catch(() => undefined);
      this.refreshCheckpoints();
      this.render();
    }
  }

  private async abort(): Promise<void> {
    if (await confirmDialog('Abort this run?', 'In-flight work stops at once and completed stages are compensated in reverse order. Partial results are kept.', 'Abort run')) {
      await this.control('Abort', () => this.api.client.abort(this.runId, 'aborted from the dashboard'));
    }
  }

  private openRecovery(): void {
    openRecoveryDialog({
      api: this.api, runId: this.runId, status: this.model.status, question: this.model.question, error: this.model.error,
      done: (message) => {
        this.say(message);
        void this.backfill();
        this.refreshCheckpoints();
      },
    });
  }

  private async restore(c: Checkpoint): Promise<void> {
    const ok = await confirmDialog('Restore this checkpoint?', `The run forks from step ${c.step} and continues with ${c.next.join(', ') || 'nothing left'}; later work on the current line is not undone.`, 'Restore');
    if (ok) await this.control(`Restore to step ${c.step}`, () => this.api.client.restore(this.runId, c.checkpointId));
  }

  private say(text: string): void {
    this.notice.textContent = text;
  }

  private async loadTimeline(): Promise<void> {
    const t = await this.api.client.timeline(this.runId).catch(() => undefined);
    if (t && !this.closed) mount(this.gantt, t.stages.length ? ganttChart(t) : h('p', { class: 'empty' }, 'No stage has run yet.'));
    await this.loadHooks();
  }

  /** Hook deliveries settle after the events they are about: looked at again while some wait for an attempt. */
  private async loadHooks(): Promise<void> {
    const r = await this.api.client.call('runHooks', { params: { sessionId: this.runId } }).catch(() => undefined);
    if (!r || this.closed) return;
    this.hookList.hidden = r.deliveries.length === 0;
    if (r.deliveries.length) mount(this.hookList, hooksView(r.deliveries));
    clearTimeout(this.hooksAgain);
    if (r.deliveries.some((d) => d.status === 'pending' || d.status === 'failed')) this.hooksAgain = setTimeout(() => void this.loadHooks(), 2000);
  }

  private async loadOutputs(): Promise<void> {
    const r = await this.api.client.partialResults(this.runId).catch(() => undefined);
    if (!r || this.closed) return;
    this.outputs = r.partialResults;
    mount(this.analyses, analysesView(this.outputs));
    mount(this.compliance, complianceView(this.outputs['check-compliance']));
    this.render();
  }

  private async loadArtifacts(): Promise<void> {
    const r = await this.api.client.artifacts(this.runId).catch(() => undefined);
    if (r && !this.closed) {
      mount(this.artifacts, artifactsView(r.artifacts, (name) => this.api.download(this.runId, name).catch((e: unknown) => this.say(`Download failed: ${describeError(e)}`)), (name) => this.api.svgUrl(this.runId, name)));
    }
  }

  private async loadCheckpoints(): Promise<void> {
    const r = await this.api.client.checkpoints(this.runId).catch(() => undefined);
    if (r && !this.closed) mount(this.checkpoints, checkpointsView(r.checkpoints, this.model.status, (c) => void this.restore(c)));
  }

  private draw(): void {
    const m = this.model;
    this.el.dataset.status = m.status;
    this.el.dataset.lastSeq = String(m.lastSeq);
    this.el.dataset.applied = String(m.applied);
    this.controls.update(m.status, this.busy);
    const b = bannerText(m);
    this.banner.textContent = b?.text ?? '';
    this.banner.className = `banner ${b?.tone ?? ''}`;
    this.banner.hidden = !b;
    this.progress.update(m);
    this.graph?.update(m);
    for (const d of m.decisions) this.addCard(d);
    if (!this.cards.childElementCount) mount(this.cards, h('p', { class: 'empty' }, 'No decisions yet.'));
    const front = frontOf(this.outputs);
    const chosen = latestDecisions(m).get('design-choice')?.chosen;
    const key = `${front.length}:${chosen}`;
    if (this.pareto.dataset.key !== key) {
      this.pareto.dataset.key = key;
      mount(this.pareto, front.length ? paretoPlot(front, chosen) : h('p', { class: 'empty' }, 'No evaluated designs yet.'));
    }
  }

  private addCard(d: DecisionRecord): void {
    if (this.cardIds.has(d.id)) return;
    if (!this.cardIds.size) this.cards.replaceChildren();
    this.cardIds.add(d.id);
    this.cards.append(decisionCard(d, this.feedback));
  }
}
