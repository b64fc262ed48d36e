/**
 * The season chart as SVG: one panel per category with last year's demand over the
 * same weeks (grey), the forecast (blue), planned stock on hand at the end of each
 * week (green bars) and the markdown week (a dashed line). Plain SVG, no library.
 */
import type { Allocation, DemandForecast, MarkdownPlan } from '../schemas.ts';

const W = 720;
const PANEL = 150;
const PAD = { left: 56, right: 16, top: 28, bottom: 22 };
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

export function seasonChart(forecast: DemandForecast, allocation: Allocation, markdowns: MarkdownPlan): string {
  const weeks = forecast.seasonWeeks;
  const parts: string[] = [];
  allocation.categories.forEach((c, k) => {
    const y0 = k * PANEL;
    const series = forecast.series.filter((s) => s.category === c.category);
    const fc = Array.from({ length: weeks }, (_, w) => series.reduce((a, s) => a + s.forecast[w]!, 0));
    const ly = Array.from({ length: weeks }, (_, w) => series.reduce((a, s) => a + s.lastYear[w]!, 0));
    const stock = c.weeks.map((w) => w.stockEnd);
    const max = Math.max(1, ...fc, ...ly, ...stock);
    const x = (w: number) => PAD.left + ((w + 0.5) * (W - PAD.left - PAD.right)) / weeks;
    const y = (v: number) => y0 + PANEL - PAD.bottom - (v / max) * (PANEL - PAD.top - PAD.bottom);
    const line = (vs: number[]) => vs.map((v, w) => `${w ? 'L' : 'M'}${x(w).toFixed(1)},${y(v).toFixed(1)}`).join('');
    const bw = Math.max(2, ((W - PAD.left - PAD.right) / weeks) * 0.6);
    parts.push(`<g class="panel" data-category="${c.category}">`);
    parts.push(`<text x="${PAD.left}" y="${y0 + 18}" font-size="13" font-weight="bold">${esc(c.category)}: ${c.units} units (${c.initial} initial, ${c.holdback} held back)</text>`);
    parts.push(`<line x1="${PAD.left}" y1="${y(0)}" x2="${W - PAD.right}" y2="${y(0)}" stroke="#999"/>`);
    parts.push(`<text x="${PAD.left - 6}" y="${y(max) + 4}" font-size="10" text-anchor="end">${Math.round(max)}</text><text x="${PAD.left - 6}" y="${y(0) + 4}" font-size="10" text-anchor="end">0</text>`);
    stock.forEach((v, w) => parts.push(`<rect x="${(x(w) - bw / 2).toFixed(1)}" y="${y(v).toFixed(1)}" width="${bw.toFixed(1)}" height="${(y(0) - y(v)).toFixed(1)}" fill="#b7e1c1"/>`));
    parts.push(`<path d="${line(ly)}" fill="none" stroke="#888" stroke-width="1.5"/>`);
    parts.push(`<path d="${line(fc)}" fill="none" stroke="#1f6fd1" stroke-width="2"/>`);
    const md = markdowns.categories.find((m) => m.category === c.category);
    if (md?.markdownWeek) parts.push(`<line x1="${x(md.markdownWeek - 1)}" y1="${y0 + PAD.top}" x2="${x(md.markdownWeek - 1)}" y2="${y(0)}" stroke="#d14b1f" stroke-dasharray="4 3"/><text x="${x(md.markdownWeek - 1) + 4}" y="${y0 + PAD.top + 10}" font-size="10" fill="#d14b1f">-${Math.round(md.depth * 100)} %</text>`);
    parts.push('</g>');
  });
  const h = allocation.categories.length * PANEL + 30;
  const legend = `<g font-size="11" transform="translate(${PAD.left},${h - 12})"><rect width="10" height="10" fill="#b7e1c1" y="-9"/><text x="14">planned stock on hand</text><path d="M150,-4h20" stroke="#1f6fd1" stroke-width="2"/><text x="175">forecast demand</text><path d="M285,-4h20" stroke="#888" stroke-width="1.5"/><text x="310">last year, same weeks</text><path d="M440,-4h20" stroke="#d14b1f" stroke-dasharray="4 3"/><text x="465">markdown</text></g>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${h}" viewBox="0 0 ${W} ${h}" font-family="sans-serif"><title>Season plan from ${forecast.startWeek}: ${weeks} weeks, ${forecast.method}</title><rect width="100%" height="100%" fill="#fff"/>${parts.join('')}${legend}</svg>\n`;
}
