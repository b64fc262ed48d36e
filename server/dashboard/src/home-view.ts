/** The start page: start a run (in words or through a form from the entry stage's input schema) and the caller's runs, live. */
import type { RunEvent, RunSummary } from '../../../client/index.ts';
import { describeError, type Api } from './api.ts';
import { fmtTime, h, mount, shortId, throttle } from './dom.ts';
import type { WorkflowInfo } from './graph-view.ts';
import { listRowChange } from './model.ts';
import { schemaForm } from './schema-form.ts';

export const FLAGSHIP_REQUEST = 'I need a 70 MPa hydrogen tank for automotive use, 5 kg capacity';

type Plugin = { name: string; input: unknown; workflows: string[] };

/** Runs started from this page: their view treats everything that happened since as news. */
export const startedHere = new Set<string>();

export class HomeView {
  readonly el: HTMLElement;
  private readonly rows = new Map<string, { tr: HTMLTableRowElement; summary: RunSummary }>();
  private readonly tbody = h('tbody', {});
  private readonly status = h('p', { class: 'form-status', role: 'status' });
  private readonly formBox = h('div', { class: 'form-box' });
  private readonly refreshList = throttle(() => void this.loadRuns(), 500);
  private plugins: Plugin[] = [];

  constructor(private readonly api: Api, private readonly workflows: Map<string, WorkflowInfo>, private readonly go: (hash: string) => void) {
    this.el = h('section', { id: 'home-view', 'aria-labelledby': 'home-h' },
      h('h1', { id: 'home-h', class: 'sr-only' }, 'Runs'),
      h('section', { class: 'panel start', 'aria-labelledby': 'start-h' }, h('h2', { id: 'start-h' }, 'Start a run'), this.formBox, this.status),
      h('section', { class: 'panel runs', 'aria-labelledby': 'runs-h' },
        h('h2', { id: 'runs-h' }, 'Your runs'),
        h('table', { class: 'runs-table' },
          h('thead', {}, h('tr', {}, ['run', 'workflow', 'status', 'stage', 'progress', 'started'].map((t) => h('th', { scope: 'col' }, t)))),
          this.tbody)),
    );
  }

  async load(): Promise<void> {
    this.plugins = (await this.api.client.plugins().catch(() => ({ plugins: [] }))).plugins as Plugin[];
    this.renderForm();
    await this.loadRuns();
  }

  /** After a reconnect: the list as the server has it now. */
  resync(): Promise<void> {
    return this.loadRuns();
  }

  onEvent(e: RunEvent): void {
    const row = this.rows.get(e.runId);
    if (!row) {
      if (e.type === 'workflow.started') this.refreshList();
      return;
    }
    const patch = listRowChange(e);
    if (!patch) return;
    const s = row.summary;
    if (patch.status) s.status = patch.status;
    if (patch.stage) s.stage = patch.stage;
    if (patch.percent !== undefined) s.progress.percent = patch.percent;
    this.fillRow(row.tr, s);
  }

  async loadRuns(): Promise<void> {
    const { runs } = await this.api.client.listRuns({ limit: 50 });
    this.rows.clear();
    mount(this.tbody, runs.map((r) => {
      const tr = h('tr', { 'data-run': r.sessionId });
      this.fillRow(tr, r);
      this.rows.set(r.sessionId, { tr, summary: r });
      return tr;
    }));
    if (!runs.length) mount(this.tbody, h('tr', {}, h('td', { colspan: 6, class: 'empty' }, 'No runs yet.')));
  }

  private fillRow(tr: HTMLTableRowElement, r: RunSummary): void {
    tr.dataset.status = r.status;
    mount(tr,
      h('td', {}, h('a', { href: `#/runs/${r.sessionId}`, 'aria-label': `Open run ${shortId(r.sessionId)}` }, shortId(r.sessionId))),
      h('td', {}, r.workflow),
      h('td', {}, h('span', { class: `badge status-${r.status}` }, r.status.replace('_', ' ')), r.degraded ? h('span', { class: 'badge warn' }, 'degraded') : null),
      h('td', {}, r.stage ?? '–'),
      h('td', {}, h('progress', { max: 100, value: r.progress.percent, 'aria-label': `Progress of run ${shortId(r.sessionId)}` }), ` ${r.progress.percent.toFixed(0)} %`),
      h('td', {}, fmtTime(r.createdAt)),
    );
  }

  private entrySchema(workflowId: string): unknown {
    const wf = this.workflows.get(workflowId);
    const first = wf?.edges.find((e) => e.from === '__start__')?.to;
    // A template's steps name registered plugins (its id is not among their workflows).
    const template = wf?.source === 'template';
    return this.plugins.find((p) => p.name === first && (template || p.workflows.includes(workflowId)))?.input;
  }

  private renderForm(): void {
    const ids = [...this.workflows.keys()];
    const label = (id: string) => (this.workflows.get(id)?.source === 'template' ? `${id} (template v${this.workflows.get(id)!.version})` : id);
    const select = h('select', { id: 'start-workflow', name: 'workflow' }, ids.map((id) => h('option', { value: id }, label(id))));
    if (ids.includes('h2-tank')) select.value = 'h2-tank';
    const text = h('textarea', { id: 'start-text', name: 'text', rows: 3 });
    // The flagship's demo request as the example only where the flagship is the workflow chosen.
    const example = () => (text.placeholder = select.value === 'h2-tank' ? FLAGSHIP_REQUEST : `What ${select.value} should do, in words`);
    example();
    const seed = h('input', { id: 'start-seed', name: 'seed', type: 'number', min: 0, step: 1, placeholder: 'default' });
    const modeText = h('input', { type: 'radio', name: 'mode', id: 'mode-text', value: 'text', checked: true });
    const modeForm = h('input', { type: 'radio', name: 'mode', id: 'mode-form', value: 'form' });
    const textBox = h('div', { class: 'field' }, h('label', { for: 'start-text' }, 'Request'), text);
    const structuredBox = h('div', { class: 'structured', hidden: true });
    let read: (() => Record<string, unknown>) | undefined;
    const buildStructured = () => {
      const form = schemaForm(this.entrySchema(select.value), 'req');
      read = form?.read;
      mount(structuredBox, form ? form.fields : h('p', { class: 'empty' }, 'This workflow has no form; describe the request in words.'));
    };
    const switchMode = () => {
      textBox.hidden = !modeText.checked;
      structuredBox.hidden = modeText.checked;
      text.required = modeText.checked;
      if (!modeText.checked) buildStructured();
    };
    modeText.addEventListener('change', switchMode);
    modeForm.addEventListener('change', switchMode);
    select.addEventListener('change', () => (example(), !modeText.checked && buildStructured()));
    const submit = h('button', { type: 'submit', class: 'primary' }, 'Start run');
    const form = h('form', { class: 'start-form', 'aria-labelledby': 'start-h' },
      h('div', { class: 'row' },
        h('div', { class: 'field' }, h('label', { for: 'start-workflow' }, 'Workflow'), select),
        h('fieldset', { class: 'mode' }, h('legend', {}, 'Request as'),
          modeText, h('label', { for: 'mode-text' }, 'words'), modeForm, h('label', { for: 'mode-form' }, 'form')),
        h('div', { class: 'field' }, h('label', { for: 'start-seed' }, 'Seed'), seed)),
      textBox, structuredBox, submit);
    text.required = true;
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const request = modeText.checked ? text.value.trim() : read?.() ?? {};
      const body = { workflow: select.value, request, ...(seed.value !== '' ? { options: { seed: Number(seed.value) } } : {}) };
      submit.disabled = true;
      this.status.textContent = 'starting…';
      this.api.client.orchestrate(body).then(
        (r) => {
          this.status.textContent = '';
          startedHere.add(r.sessionId);
          this.go(`#/runs/${r.sessionId}`);
        },
        (e: unknown) => (this.status.textContent = `Not started: ${describeError(e)}`),
      ).finally(() => (submit.disabled = false));
    });
    mount(this.formBox, form);
  }
}
