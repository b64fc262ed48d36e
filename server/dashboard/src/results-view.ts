/** What a run produced: analyses, compliance rules and the artifact files. */
import { fmtBytes, fmtNum, h } from './dom.ts';

const UNITS: Record<string, string> = {
  MPa: 'MPa', Mm: 'mm', Kg: 'kg', L: 'L', C: '°C', Usd: 'USD', Pct: '%', S: 's', Kwh: 'kWh', J: 'J', M2: 'm²', K: 'K',
  KgPerL: 'kg/L', UsdPerKwh: 'USD/kWh', WPerM2K: 'W/(m²·K)', JPerK: 'J/K', NPerMm: 'N/mm',
};

/** `predictedBurstMPa` -> `predicted burst (MPa)`: the field names carry their units. */
export function humanize(key: string): string {
  for (const [suffix, unit] of Object.entries(UNITS).sort((a, b) => b[0].length - a[0].length)) {
    if (key.endsWith(suffix) && key.length > suffix.length && /[a-z0-9]/.test(key[key.length - suffix.length - 1]!)) {
      return `${words(key.slice(0, -suffix.length))} (${unit})`;
    }
  }
  return words(key);
}

const words = (k: string) => k.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();

function show(v: unknown): string {
  if (typeof v === 'number') return fmtNum(v);
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return v.map(fmtNum).join(' to ');
  return String(v);
}

const scalar = (v: unknown) => v === null || ['number', 'string', 'boolean'].includes(typeof v);

/** Rows of an output object: its scalars, then one level into nested objects (arrays left out). */
export function figures(output: Record<string, unknown>): [string, string][] {
  const rows: [string, string][] = [];
  for (const [k, v] of Object.entries(output)) {
    if (scalar(v)) rows.push([humanize(k), show(v)]);
  }
  for (const [k, v] of Object.entries(output)) {
    if (!v || typeof v !== 'object' || Array.isArray(v)) continue;
    for (const [k2, v2] of Object.entries(v)) if (scalar(v2) || (Array.isArray(v2) && v2.every((x) => typeof x === 'number'))) rows.push([`${humanize(k)}: ${humanize(k2)}`, show(v2)]);
  }
  return rows;
}

/** One table per analysis stage output (`analyze-*`, `validate-design`), with its assumptions. */
export function analysesView(outputs: Record<string, unknown>): HTMLElement {
  const names = Object.keys(outputs).filter((k) => k.startsWith('analyze-') || k === 'validate-design').sort();
  if (!names.length) return h('p', { class: 'empty' }, 'No analyses yet.');
  return h('div', { class: 'analyses' }, names.map((name) => {
    const out = (outputs[name] ?? {}) as Record<string, unknown>;
    const rows = figures(out);
    const assumptions = Array.isArray(out.assumptions) ? (out.assumptions as unknown[]).map(String) : [];
    return h('details', { class: 'analysis', open: true, 'data-stage': name },
      h('summary', {}, name),
      h('table', {},
        h('caption', { class: 'sr-only' }, `${name} results`),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'quantity'), h('th', { scope: 'col' }, 'value'))),
        h('tbody', {}, rows.slice(0, 24).map(([k, v]) => h('tr', {}, h('th', { scope: 'row' }, k), h('td', {}, v))))),
      assumptions.length ? h('ul', { class: 'assumptions' }, assumptions.map((a) => h('li', {}, a))) : null,
    );
  }));
}

interface ComplianceRule {
  id: string;
  standard?: string;
  clause?: string;
  requirement?: string;
  measured?: unknown;
  limit?: unknown;
  unit?: string;
  verdict?: string;
  note?: string;
}

/** Each rule of each standard with its clause, the requirement, the measured value and the verdict. */
export function complianceView(output: unknown): HTMLElement {
  const c = (output ?? {}) as { rules?: ComplianceRule[]; passed?: boolean; failures?: string[] };
  if (!c.rules) return h('p', { class: 'empty' }, 'Compliance not checked yet.');
  return h('div', { class: 'compliance' },
    h('p', { class: c.passed ? 'verdict pass' : 'verdict fail' }, c.passed ? 'All assessable rules pass.' : `Fails: ${(c.failures ?? []).join(', ')}`),
    h('table', {},
      h('caption', { class: 'sr-only' }, 'Compliance rules'),
      h('thead', {}, h('tr', {}, ['standard', 'clause', 'requirement', 'measured', 'limit', 'verdict'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, c.rules.map((r) => h('tr', { 'data-rule': r.id, class: `verdict-${r.verdict ?? 'unknown'}` },
        h('td', {}, r.standard ?? ''),
        h('td', {}, r.clause ?? r.id),
        h('td', { title: r.note ?? '' }, r.requirement ?? ''),
        h('td', {}, r.measured === undefined || r.measured === null ? '–' : `${show(r.measured)} ${r.unit ?? ''}`),
        h('td', {}, r.limit === undefined || r.limit === null ? '–' : `${show(r.limit)} ${r.unit ?? ''}`),
        h('td', { class: 'verdict-cell' }, r.verdict ?? '?'),
      )))),
  );
}

export interface ArtifactInfo {
  name: string;
  size: number;
  href: string;
}

/**
 * Download links; `download` fetches with the caller's key (a plain link cannot send it).
 * SVG files a run wrote (a pack's chart, the flagship's section drawing) are shown too,
 * as images (an `<img>` runs no script an SVG may hold), fetched by `svgUrl`.
 */
export function artifactsView(artifacts: ArtifactInfo[], download: (name: string) => Promise<void>, svgUrl?: (name: string) => Promise<string>): HTMLElement {
  if (!artifacts.length) return h('p', { class: 'empty' }, 'No files yet.');
  const list = h('ul', { class: 'artifacts' }, artifacts.map((a) => {
    const link = h('a', { href: a.href, download: a.name, 'aria-label': `Download ${a.name}` }, a.name);
    link.addEventListener('click', (ev) => {
      ev.preventDefault();
      void download(a.name);
    });
    return h('li', {}, link, ' ', h('span', { class: 'size', 'data-volatile': true }, fmtBytes(a.size)));
  }));
  const svgs = svgUrl ? artifacts.filter((a) => a.name.toLowerCase().endsWith('.svg')) : [];
  const figures = svgs.map((a) => {
    const img = h('img', { alt: a.name, class: 'artifact-svg' });
    void svgUrl!(a.name).then(
      (url) => {
        // Once shown, the image keeps its pixels: the object URL is not needed any more.
        img.addEventListener('load', () => URL.revokeObjectURL(url), { once: true });
        img.src = url;
      },
      () => img.replaceWith(h('p', { class: 'empty' }, `${a.name} could not be shown`)),
    );
    return h('figure', { class: 'artifact' }, img, h('figcaption', {}, a.name));
  });
  return h('div', {}, list, ...figures);
}
