/**
 * The mass-versus-cost scatter of the Pareto front, drawn as PDF vector paths: axes with
 * ticks and labels, a light grid, the front joined in mass order, every design as a
 * dot and the chosen design as a red diamond with its id.
 */
import { degrees, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import { INK } from './pdf-flow.ts';

/** One design on the chart (system-level figures). */
export interface ChartPoint {
  id: string;
  massKg: number;
  costUsd: number;
  chosen: boolean;
  /** False for the chosen design when it is not a member of the front. */
  onFront: boolean;
}

/** Where and with what the chart is drawn. */
export interface ChartTarget {
  page: PDFPage;
  font: PDFFont;
  /** Lower-left corner and size of the whole chart, labels included, points. */
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Axis ticks on "nice" values (1, 2, 2.5, 5 x 10^k) spanning [lo, hi]. */
export function niceTicks(lo: number, hi: number, target = 5): { min: number; max: number; step: number; ticks: number[] } {
  if (!(hi > lo)) {
    const pad = Math.abs(lo) * 0.1 || 1;
    lo -= pad;
    hi += pad;
  }
  const raw = (hi - lo) / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const min = Math.floor(lo / step) * step;
  const max = Math.ceil(hi / step) * step;
  const ticks: number[] = [];
  for (let v = min; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return { min, max, step, ticks };
}

/** A tick label: thousands as "12k" when every tick is a whole thousand. */
function tickLabel(v: number, step: number): string {
  if (step >= 1000 && v % 1000 === 0) return `${v / 1000}k`;
  let decimals = 0;
  while (decimals < 6 && Math.abs(Math.round(step * 10 ** decimals) - step * 10 ** decimals) > 1e-9) decimals++;
  return v.toFixed(decimals);
}

/**
 * Draws the chart into `target`. Points outside the front (the chosen design when it is
 * not on it) are plotted too, so the reader sees where the choice sits.
 */
export function drawParetoChart(target: ChartTarget, points: ChartPoint[]): void {
  const { page, font } = target;
  // Room for tick labels and titles on the left and below, and for the legend above.
  const plot = { x: target.x + 52, y: target.y + 34, width: target.width - 70, height: target.height - 62 };
  if (points.length === 0) {
    page.drawText('No Pareto front was recorded for this run.', { x: plot.x, y: plot.y + plot.height / 2, size: 9, font, color: INK.muted });
    return;
  }
  const xs = niceTicks(Math.min(...points.map((p) => p.massKg)), Math.max(...points.map((p) => p.massKg)));
  const ys = niceTicks(Math.min(...points.map((p) => p.costUsd)), Math.max(...points.map((p) => p.costUsd)));
  const px = (v: number): number => plot.x + ((v - xs.min) / (xs.max - xs.min)) * plot.width;
  const py = (v: number): number => plot.y + ((v - ys.min) / (ys.max - ys.min)) * plot.height;
  const grid = rgb(0.9, 0.9, 0.92);

  for (const t of xs.ticks) {
    const x = px(t);
    page.drawLine({ start: { x, y: plot.y }, end: { x, y: plot.y + plot.height }, thickness: 0.3, color: grid });
    page.drawLine({ start: { x, y: plot.y }, end: { x, y: plot.y - 4 }, thickness: 0.6, color: INK.text });
    const label = tickLabel(t, xs.step);
    page.drawText(label, { x: x - font.widthOfTextAtSize(label, 7.5) / 2, y: plot.y - 13, size: 7.5, font, color: INK.text });
  }
  for (const t of ys.ticks) {
    const y = py(t);
    page.drawLine({ start: { x: plot.x, y }, end: { x: plot.x + plot.width, y }, thickness: 0.3, color: grid });
    page.drawLine({ start: { x: plot.x - 4, y }, end: { x: plot.x, y }, thickness: 0.6, color: INK.text });
    const label = tickLabel(t, ys.step);
    page.drawText(label, { x: plot.x - 6 - font.widthOfTextAtSize(label, 7.5), y: y - 2.5, size: 7.5, font, color: INK.text });
  }
  page.drawLine({ start: { x: plot.x, y: plot.y }, end: { x: plot.x + plot.width, y: plot.y }, thickness: 0.8, color: INK.text });
  page.drawLine({ start: { x: plot.x, y: plot.y }, end: { x: plot.x, y: plot.y + plot.height }, thickness: 0.8, color: INK.text });

  const xTitle = 'Mass of all tanks, kg';
  page.drawText(xTitle, { x: plot.x + plot.width / 2 - font.widthOfTextAtSize(xTitle, 8.5) / 2, y: target.y + 4, size: 8.5, font, color: INK.text });
  const yTitle = 'Cost of all tanks, USD';
  page.drawText(yTitle, {
    x: target.x + 10,
    y: plot.y + plot.height / 2 - font.widthOfTextAtSize(yTitle, 8.5) / 2,
    size: 8.5,
    font,
    color: INK.text,
    rotate: degrees(90),
  });

  // The front as a dashed line in mass order, then the designs on top of it.
  const front = points.filter((p) => p.onFront).sort((a, b) => a.massKg - b.massKg || a.costUsd - b.costUsd);
  for (let i = 0; i + 1 < front.length; i++) {
    page.drawLine({
      start: { x: px(front[i].massKg), y: py(front[i].costUsd) },
      end: { x: px(front[i + 1].massKg), y: py(front[i + 1].costUsd) },
      thickness: 0.6,
      color: INK.muted,
      dashArray: [3, 2],
    });
  }
  for (const p of points.filter((q) => !q.chosen)) {
    page.drawCircle({ x: px(p.massKg), y: py(p.costUsd), size: 2.6, color: INK.accent });
  }
  for (const p of points.filter((q) => q.chosen)) {
    const x = px(p.massKg);
    const y = py(p.costUsd);
    // drawSvgPath flips y (SVG is y-down): the diamond is symmetric, so it does not matter.
    page.drawSvgPath('M 0 -5.5 L 5.5 0 L 0 5.5 L -5.5 0 Z', { x, y, color: INK.fail, borderColor: INK.text, borderWidth: 0.5 });
    const label = `chosen: ${p.id}`;
    const w = font.widthOfTextAtSize(label, 7.5);
    const lx = x + 8 + w > plot.x + plot.width ? x - 8 - w : x + 8;
    page.drawText(label, { x: lx, y: y + 5, size: 7.5, font, color: INK.fail });
  }

  // Legend in one line above the plot, clear of the data.
  const ly = plot.y + plot.height + 14;
  page.drawCircle({ x: plot.x + 4, y: ly + 2.5, size: 2.6, color: INK.accent });
  page.drawText('Pareto-optimal design', { x: plot.x + 12, y: ly, size: 7.5, font, color: INK.text });
  const second = plot.x + 24 + font.widthOfTextAtSize('Pareto-optimal design', 7.5);
  page.drawSvgPath('M 0 -4 L 4 0 L 0 4 L -4 0 Z', { x: second, y: ly + 2.5, color: INK.fail });
  page.drawText('chosen design', { x: second + 8, y: ly, size: 7.5, font, color: INK.text });
  page.drawLine({ start: { x: second + 80, y: ly + 2.5 }, end: { x: second + 100, y: ly + 2.5 }, thickness: 0.6, color: INK.muted, dashArray: [3, 2] });
  page.drawText('front, in mass order', { x: second + 106, y: ly, size: 7.5, font, color: INK.text });
}
