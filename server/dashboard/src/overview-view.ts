/**
 * The overview from `GET /api/stats`: per stage plugin, success rate and p50/p90
 * duration by day or week, and the handoff graph between stages (edge width by
 * count, colour by the success rate of the stage handed to); above them, each
 * workflow's grades and regressions (`GET /api/evaluations`, evaluations-panel.ts).
 */
import type { z } from 'zod';
import type { schemas } from '../../contract/index.ts';
import { describeError, type Api } from './api.ts';
import { fmtMs, fmtPct, h, mount, s } from './dom.ts';
import { edgePath, layered } from './layout.ts';
import { showEvaluations } from './evaluations-panel.ts';

type Stats = z.output<typeof schemas.StatsResponse>;

/** Red (0) to green (1). */
export const rateColour = (rate: number | null) => (rate === null ? 'hsl(0 0% 60%)' : `hsl(${Math.round(rate * 120)} 65% 38%)`);

function period(iso: string, by: string): string {
  return by === 'day' ? iso.slice(0, 10) : `${by} of ${iso.slice(0, 10)}`;
}

export function handoffGraph(stats: Stats, workflow: string): SVGSVGElement {
  const counts = new Map<string, { from: string; to: string; count: number }>();
  for (const hnd of stats.handoffs.filter((x) => x.workflow === workflow)) {
    const k = `${hnd.from}\u0000${hnd.to}`;
    const e = counts.get(k) ?? { from: hnd.from, to: hnd.to, count: 0 };
    e.count += hnd.count;
    counts.set(k, e);
  }
  const rate = new Map<string, { ok: number; n: number }>();
  for (const st of stats.stages.filter((x) => x.workflow === workflow)) {
    const r = rate.get(st.stage) ?? { ok: 0, n: 0 };
    r.ok += st.successes;
    r.n += st.executions;
    rate.set(st.stage, r);
  }
  const edges = [...counts.values()];
  const ids = [...new Set([...rate.keys(), ...edges.flatMap((e) => [e.from, e.to])])];
  const layout = layered(ids.map((id) => ({ id })), edges, { nodeW: 132, nodeH: 24, gapY: 22, gapX: 10 });
  const max = Math.max(1, ...edges.map((e) => e.count));
  const rateOf = (id: string) => {
    const r = rate.get(id);
    return r && r.n ? r.ok / r.n : null;
  };
  const svg = s('svg', {
    class: 'handoffs', viewBox: `0 0 ${layout.width + 40} ${layout.height}`, width: layout.width + 40, height: layout.height, role: 'img',
    'aria-label': `Handoffs of ${workflow}: ${edges.length} stage-to-stage edges, ${edges.reduce((a, e) => a + e.count, 0)} handoffs`,
  });
  edges.forEach((e, i) => {
    const a = layout.pos.get(e.from)!;
    const b = layout.pos.get(e.to)!;
    const r = rateOf(e.to);
    svg.append(s('path', {
      d: edgePath(a, b, layout.back.has(i), layout.channelX), class: 'handoff', 'data-from': e.from, 'data-to': e.to,
      stroke: rateColour(r), 'stroke-width': 1.5 + (5 * e.count) / max, fill: 'none',
    }, s('title', {}, `${e.from} → ${e.to}: ${e.count} handoffs; ${e.to} succeeds ${r === null ? 'n/a' : fmtPct(r * 100)}`)));
  });
  for (const id of ids) {
    const p = layout.pos.get(id)!;
    const r = rateOf(id);
    svg.append(s('g', { class: 'hnode' },
      s('rect', { x: p.x, y: p.y, width: p.w, height: p.h, rx: 5, stroke: rateColour(r) }),
      s('text', { x: p.x + p.w / 2, y: p.y + p.h / 2 + 4, 'text-anchor': 'middle' }, id),
      s('title', {}, `${id}: success rate ${r === null ? 'n/a' : fmtPct(r * 100)}`)));
  }
  return svg;
}

export class OverviewView {
  readonly el: HTMLElement;
  private readonly body = h('div', {});
  private readonly evaluations = h('div', { id: 'evaluations' });
  private readonly groupBy = h('select', { id: 'stats-group' }, h('option', { value: 'day' }, 'day'), h('option', { value: 'week' }, 'week'));

  constructor(private readonly api: Api) {
    this.groupBy.addEventListener('change', () => void this.load());
    this.el = h('section', { id: 'overview-view', 'aria-labelledby': 'overview-h' },
      h('h1', { id: 'overview-h' }, 'Overview'),
      this.evaluations,
      h('div', { class: 'field inline' }, h('label', { for: 'stats-group' }, 'Group by'), this.groupBy),
      this.body);
  }

  async load(): Promise<void> {
    void showEvaluations(this.api, this.evaluations);
    let stats: Stats;
    try {
      stats = await this.api.client.stats({ groupBy: this.groupBy.value as 'day' | 'week' });
    } catch (e) {
      return mount(this.body, h('p', { class: 'empty' }, `Statistics unavailable: ${describeError(e)}`));
    }
    const workflows = [...new Set([...stats.stages.map((x) => x.workflow), ...stats.handoffs.map((x) => x.workflow)])];
    if (!workflows.length) return mount(this.body, h('p', { class: 'empty' }, 'No runs in the last 30 days.'));
    const rows = [...stats.stages].sort((a, b) => b.period.localeCompare(a.period) || a.workflow.localeCompare(b.workflow) || a.stage.localeCompare(b.stage));
    mount(this.body,
      h('section', { class: 'panel', 'aria-labelledby': 'stage-stats-h' },
        h('h2', { id: 'stage-stats-h' }, 'Stage plugins'),
        h('table', { class: 'stats-table' },
          h('thead', {}, h('tr', {}, ['period', 'workflow', 'stage', 'executions', 'success rate', 'retries', 'failures', 'p50', 'p90'].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, rows.map((r) => h('tr', { 'data-stage': r.stage },
            h('td', {}, period(r.period, stats.groupBy)), h('td', {}, r.workflow), h('th', { scope: 'row' }, r.stage),
            h('td', {}, String(r.executions)),
            h('td', {}, h('span', { class: 'rate-swatch', 'aria-hidden': 'true', 'data-rate': r.successRate ?? '' }), r.successRate === null ? '–' : fmtPct(r.successRate * 100)),
            h('td', {}, String(r.retries)), h('td', {}, String(r.failures)),
            h('td', {}, fmtMs(r.p50Ms)), h('td', {}, fmtMs(r.p90Ms)))))),
      ),
      workflows.map((wf) => h('section', { class: 'panel', 'aria-labelledby': `handoffs-${wf}-h` },
        h('h2', { id: `handoffs-${wf}-h` }, `Handoffs: ${wf}`),
        h('p', { class: 'hint' }, 'Edge width: number of handoffs. Colour: success rate of the stage handed to (red 0 %, green 100 %).'),
        handoffGraph(stats, wf))),
    );
    for (const sw of Array.from(this.body.querySelectorAll<HTMLElement>('.rate-swatch'))) {
      if (sw.dataset.rate) sw.style.background = rateColour(Number(sw.dataset.rate));
    }
  }
}
