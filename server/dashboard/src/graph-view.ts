/**
 * The workflow graph as SVG (from `GET /api/workflows`): stages as boxes, decision
 * points as hexagons, loops through a channel on the right. `update()` colours nodes
 * by stage status, rings the current stage(s) and writes each decision's choice.
 */
import type { z } from 'zod';
import type { schemas } from '../../contract/index.ts';
import { s } from './dom.ts';
import { edgePath, layered } from './layout.ts';
import { latestDecisions, type RunModel } from './model.ts';

export type WorkflowInfo = z.output<typeof schemas.WorkflowInfo>;

let instances = 0;

const isTerminalNode = (kind: string) => kind === 'start' || kind === 'end';

export class WorkflowGraph {
  readonly el: SVGSVGElement;
  private readonly nodes = new Map<string, SVGGElement>();
  private readonly choices = new Map<string, SVGTextElement>();

  constructor(readonly workflow: WorkflowInfo) {
    const id = `wf${++instances}`;
    const kind = new Map(workflow.nodes.map((n) => [n.id, n.kind]));
    const layout = layered(
      workflow.nodes,
      workflow.edges.map((e) => ({ from: e.from, to: e.to, back: e.kind === 'loop' })),
      { nodeW: (n) => (isTerminalNode(kind.get(n) ?? '') ? 22 : 150), nodeH: 24, gapY: 16 },
    );
    const width = layout.width + 36; // room for the loop labels right of the channel
    this.el = s('svg', {
      class: 'workflow-graph', viewBox: `0 0 ${width} ${layout.height}`, width, height: layout.height,
      role: 'img', 'aria-labelledby': `${id}-title`,
    });
    this.el.append(
      s('title', { id: `${id}-title` }, `Workflow ${workflow.id}: ${workflow.order.length} stages and decision points`),
      s('defs', {}, s('marker', { id: `${id}-arrow`, viewBox: '0 0 8 8', refX: 7, refY: 4, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
        s('path', { d: 'M0,0 L8,4 L0,8 z', class: 'arrowhead' }))),
    );
    const edges = s('g', { class: 'edges' });
    workflow.edges.forEach((e, i) => {
      const a = layout.pos.get(e.from);
      const b = layout.pos.get(e.to);
      if (!a || !b) return;
      const back = layout.back.has(i);
      const d = edgePath(a, b, back, layout.channelX);
      edges.append(s('path', { d, class: `edge ${e.kind}`, 'marker-end': `url(#${id}-arrow)` }));
      const label = e.kind === 'loop' ? `${e.option ?? 'loop'} ≤${e.maxIterations ?? '∞'}` : e.option;
      if (label) {
        const x = back ? layout.channelX + 4 : (a.x + a.w / 2 + b.x + b.w / 2) / 2 + 4;
        const y = back ? (a.y + b.y) / 2 + a.h : (a.y + a.h + b.y) / 2 + 4;
        edges.append(s('text', { x, y, class: 'edge-label' }, label));
      }
    });
    this.el.append(edges);
    const nodes = s('g', { class: 'nodes' });
    for (const n of workflow.nodes) {
      const p = layout.pos.get(n.id)!;
      const g = s('g', { class: `node ${n.kind}`, 'data-node': n.id, 'data-status': 'pending' });
      if (isTerminalNode(n.kind)) {
        g.append(s('circle', { cx: p.x + p.w / 2, cy: p.y + p.h / 2, r: 7 }), s('title', {}, n.kind === 'start' ? 'start' : 'end'));
      } else {
        const { x, y, w, h: ht } = p;
        g.append(
          n.kind === 'decision'
            ? s('polygon', { points: `${x + 10},${y} ${x + w - 10},${y} ${x + w},${y + ht / 2} ${x + w - 10},${y + ht} ${x + 10},${y + ht} ${x},${y + ht / 2}` })
            : s('rect', { x, y, width: w, height: ht, rx: 5 }),
          s('text', { x: x + w / 2, y: y + ht / 2 + 4, 'text-anchor': 'middle' }, n.id),
          s('title', {}, `${n.kind === 'decision' ? 'decision point' : 'stage'} ${n.id}${n.description ? `: ${n.description}` : ''}`),
        );
        if (n.kind === 'decision') {
          // Left of the point: the right side is where loops leave for the channel.
          const t = s('text', { x: x - 6, y: y + ht / 2 + 4, class: 'choice', 'text-anchor': 'end' });
          this.choices.set(n.id, t);
          g.append(t);
        }
      }
      this.nodes.set(n.id, g);
      nodes.append(g);
    }
    this.el.append(nodes);
  }

  update(m: RunModel): void {
    const running = new Set<string>();
    for (const [name, st] of m.stages) if (st.status === 'running' || st.status === 'retrying') running.add(name);
    for (const [name, g] of this.nodes) {
      const st = m.stages.get(name);
      g.setAttribute('data-status', st?.status ?? 'pending');
      g.classList.toggle('current', running.has(name) || (running.size === 0 && m.status !== 'completed' && name === m.stage && st?.status === 'failed'));
    }
    const decided = latestDecisions(m);
    for (const [point, t] of this.choices) {
      const d = decided.get(point);
      t.textContent = d ? `→ ${d.chosen}` : '';
      this.nodes.get(point)!.setAttribute('data-status', d ? 'completed' : 'pending');
    }
    if (m.status === 'completed') {
      this.nodes.get('__end__')?.setAttribute('data-status', 'completed');
    }
    this.nodes.get('__start__')?.setAttribute('data-status', m.lastSeq > 0 ? 'completed' : 'pending');
  }
}
