/**
 * SVG charts: the Pareto front (mass vs cost, chosen design marked) and the stage
 * timeline (a Gantt of executions and attempts, with retries, skips and pauses).
 */
import type { Timeline } from '../../../client/index.ts';
import { fmtMs, s } from './dom.ts';

/** About `count` round tick values covering [min, max]. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * mag).find((st) => st >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** A tick label with as many decimals as the tick step needs (1005, 1010, 1015; 42.95, 43). */
export function tickLabel(v: number, ticks: number[]): string {
  const step = ticks.length > 1 ? Math.abs(ticks[1]! - ticks[0]!) : Math.abs(v) || 1;
  const decimals = Math.max(0, Math.min(6, Math.ceil(-Math.log10(step) + 1e-9) + (Number((step / 10 ** Math.floor(Math.log10(step))).toFixed(6)) % 1 ? 1 : 0)));
  return v.toFixed(decimals);
}

export interface ParetoPoint {
  id: string;
  massKg: number;
  costUsd: number;
}

/** A scatter of the evaluated designs, mass (x) against cost (y); the chosen one ringed and labelled. */
export function paretoPlot(points: ParetoPoint[], chosen: string | undefined): SVGSVGElement {
  const W = 520, H = 300, L = 64, R = 16, T = 14, B = 42;
  const xs = points.map((p) => p.massKg);
  const ys = points.map((p) => p.costUsd);
  const pad = (lo: number, hi: number) => {
    const d = hi - lo || Math.abs(hi) * 0.01 || 1;
    return [lo - d * 0.06, hi + d * 0.06] as const;
  };
  const [x0, x1] = pad(Math.min(...xs), Math.max(...xs));
  const [y0, y1] = pad(Math.min(...ys), Math.max(...ys));
  const X = (v: number) => L + ((v - x0) / (x1 - x0)) * (W - L - R);
  const Y = (v: number) => H - B - ((v - y0) / (y1 - y0)) * (H - T - B);
  const best = points.find((p) => p.id === chosen);
  const kg = (v: number) => `${v.toFixed(2)} kg`;
  const usd = (v: number) => `${v.toFixed(0)} USD`;
  const label = `Pareto front: ${points.length} designs, system mass ${kg(Math.min(...xs))} to ${kg(Math.max(...xs))}, cost ${usd(Math.min(...ys))} to ${usd(Math.max(...ys))}` +
    (best ? `; chosen ${best.id} at ${kg(best.massKg)} and ${usd(best.costUsd)}` : '');
  const svg = s('svg', { class: 'chart pareto', viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', 'aria-label': label });
  const axes = s('g', { class: 'axes' });
  const xt = niceTicks(x0, x1);
  const yt = niceTicks(y0, y1);
  for (const v of xt) {
    axes.append(s('line', { x1: X(v), x2: X(v), y1: T, y2: H - B, class: 'grid' }), s('text', { x: X(v), y: H - B + 14, 'text-anchor': 'middle' }, tickLabel(v, xt)));
  }
  for (const v of yt) {
    axes.append(s('line', { x1: L, x2: W - R, y1: Y(v), y2: Y(v), class: 'grid' }), s('text', { x: L - 6, y: Y(v) + 4, 'text-anchor': 'end' }, tickLabel(v, yt)));
  }
  axes.append(
    s('line', { x1: L, x2: W - R, y1: H - B, y2: H - B, class: 'axis' }),
    s('line', { x1: L, x2: L, y1: T, y2: H - B, class: 'axis' }),
    s('text', { x: (L + W - R) / 2, y: H - 6, 'text-anchor': 'middle', class: 'axis-title' }, 'system mass (kg)'),
    s('text', { x: 14, y: (T + H - B) / 2, 'text-anchor': 'middle', class: 'axis-title', transform: `rotate(-90 14 ${(T + H - B) / 2})` }, 'cost (USD)'),
  );
  svg.append(axes);
  const dots = s('g', { class: 'points' });
  for (const p of [...points].sort((a, b) => a.massKg - b.massKg)) {
    dots.append(s('circle', { cx: X(p.massKg), cy: Y(p.costUsd), r: 3.2, class: 'pt' }, s('title', {}, `${p.id}: ${kg(p.massKg)}, ${usd(p.costUsd)}`)));
  }
  svg.append(dots);
  if (best) {
    const cx = X(best.massKg);
    const cy = Y(best.costUsd);
    const right = cx < W - 170;
    svg.append(s('g', { class: 'chosen', 'data-design': best.id },
      s('circle', { cx, cy, r: 7.5 }),
      s('text', { x: right ? cx + 11 : cx - 11, y: cy - 9, 'text-anchor': right ? 'start' : 'end' }, `chosen ${best.id}`),
    ));
  }
  return svg;
}

const OUTCOME_CLASS: Record<string, string> = {
  completed: 'ok', step: 'step', failed: 'bad', retried: 'retry', running: 'run', interrupted: 'off',
};

/** The Gantt of a run's stage executions: one row each, attempts as segments, pauses shaded. */
export function ganttChart(t: Timeline, now = Date.now()): SVGSVGElement {
  const rows = t.stages;
  const W = 640, LABEL = 138, RH = 16, T = 6, B = 22;
  const H = T + B + Math.max(1, rows.length) * RH;
  const t0 = t.startedAt ? Date.parse(t.startedAt) : now;
  const end = t.endedAt ? Date.parse(t.endedAt) : now;
  const span = Math.max(1, end - t0);
  const X = (iso: string | null) => LABEL + (((iso ? Date.parse(iso) : end) - t0) / span) * (W - LABEL - 10);
  const svg = s('svg', {
    class: 'chart gantt', viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img',
    'aria-label': `Stage timeline: ${rows.length} executions over ${fmtMs(span)}`,
  });
  for (const i of t.interruptions) {
    svg.append(s('rect', { class: 'pause-band', x: X(i.at), y: T, width: Math.max(1, X(i.resumedAt) - X(i.at)), height: rows.length * RH }, s('title', {}, `${i.reason} from ${i.at}${i.resumedAt ? ` to ${i.resumedAt}` : ''}`)));
  }
  rows.forEach((r, k) => {
    const y = T + k * RH;
    const g = s('g', { class: `row ${r.status}`, 'data-stage': r.stage });
    g.append(s('text', { x: LABEL - 6, y: y + RH - 4, 'text-anchor': 'end' }, r.execution > 0 ? `${r.stage} #${r.execution + 1}` : r.stage));
    if (r.status === 'skipped') {
      g.append(s('rect', { class: 'seg skip', x: X(r.startedAt) - 2, y: y + 3, width: 6, height: RH - 6 }, s('title', {}, `${r.stage} skipped`)));
    }
    for (const a of r.attempts) {
      const x = X(a.startedAt);
      g.append(s('rect', { class: `seg ${OUTCOME_CLASS[a.outcome] ?? 'ok'}`, x, y: y + 3, width: Math.max(2, X(a.endedAt) - x), height: RH - 6 },
        s('title', {}, `${r.stage} attempt ${a.attempt}: ${a.outcome}${a.durationMs !== null ? `, ${fmtMs(a.durationMs)}` : ''}${a.error ? ` — ${a.error.code}` : ''}`)));
    }
    svg.append(g);
  });
  const axisY = T + rows.length * RH + 4;
  svg.append(s('line', { x1: LABEL, x2: W - 10, y1: axisY, y2: axisY, class: 'axis' }));
  const ticks = niceTicks(0, span / 1000, 6);
  for (const v of ticks) {
    const x = LABEL + ((v * 1000) / span) * (W - LABEL - 10);
    svg.append(s('text', { x, y: axisY + 13, 'text-anchor': 'middle' }, `${tickLabel(v, ticks)} s`));
  }
  return svg;
}
