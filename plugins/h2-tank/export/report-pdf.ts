/**
 * report.pdf: the human-readable report of a design run, rendered from the validated
 * design document so the PDF and design.json cannot disagree. Sections, each from a new
 * page: summary; the design (dimensioned section drawing, labelled figures, knock-downs,
 * comparison with published tanks); analyses; compliance and the Pareto chart; decision
 * log. Labels are words with units, never field paths. Deterministic: dates come from
 * the document, the standard fonts are not embedded.
 */
import { PDFDocument } from 'pdf-lib';
import type { DesignDocument } from './design-json.ts';
import { figure, percent } from './labels.ts';
import { drawParetoChart, type ChartPoint } from './pareto-chart.ts';
import { INK, PdfFlow, type Column } from './pdf-flow.ts';
import { analysisRows, designPages } from './report-design.ts';

/** Lower heating value of hydrogen, kWh/kg (H2_REFERENCE.md, DOE targets). */
const LHV_KWH_PER_KG = 33.3;

/** A number for a table (see labels.ts `figure`): about four significant figures, noise as 0. */
export const fmt = figure;

const KV: Column[] = [
  { header: 'Item', width: 0.45 },
  { header: 'Value', width: 0.55 },
];

function summary(flow: PdfFlow, doc: DesignDocument): void {
  const { requirements: req, basis, design: d, provenance: pv } = doc;
  flow.heading('Hydrogen storage tank: design report', 1);
  flow.paragraph(`Run ${pv.runId} · design ${d.id} · ${pv.createdAt} · stagegraph ${pv.stagegraphVersion} · seed ${pv.seed}`, { size: 8.5, color: INK.muted });
  flow.heading('Summary');
  const kwh = d.totals.storedH2Kg * LHV_KWH_PER_KG;
  const sys = d.totals.system;
  const n = d.variables.count;
  const fiber = d.materials?.fiber ?? basis.fiber;
  const liner = d.materials?.liner ?? basis.liner;
  flow.paragraph(
    `${n} x Type ${basis.tankType} tank${n > 1 ? 's' : ''} (${liner}${fiber === 'none' ? ', no wrap' : ` liner, ${fiber}/epoxy`}) ` +
      `for ${req.application} use at ${fmt(req.pressureMPa)} MPa nominal working pressure, storing ${fmt(d.totals.storedH2Kg)} kg of hydrogen ` +
      `at 15 C in ${fmt(d.totals.waterVolumeL)} L. Tanks only: ${fmt(d.totals.massKg)} kg (${d.totals.gravimetricPct.toFixed(1)} wt % H2), ` +
      `${fmt(d.totals.costUsd)} USD. ` +
      (sys ? `Storage system with valves and fittings: ${fmt(sys.massKg)} kg (${sys.gravimetricPct.toFixed(1)} wt % H2), ${fmt(sys.costUsd)} USD (${fmt(sys.costUsd / kwh)} USD/kWh). ` : '') +
      `Predicted burst ${fmt(d.burstPressureMPa)} MPa against ${fmt(basis.burstRatio * req.pressureMPa)} MPa required (${fmt(basis.burstRatio)} x NWP), ` +
      `margin ${percent(d.safetyMargin)}. Compliance with ${basis.standards.join(', ')}: ${doc.compliance.passed ? 'passed' : 'FAILED'} (${doc.compliance.rules.length} rules).`,
  );
  flow.heading('Requirements', 3);
  const env = req.envelope;
  flow.table(KV, [
    ['Nominal working pressure', `${fmt(req.pressureMPa)} MPa`],
    ['Hydrogen capacity', req.h2MassKg !== undefined ? `${fmt(req.h2MassKg)} kg` : '-'],
    ['Water volume', req.waterVolumeL !== undefined ? `${fmt(req.waterVolumeL)} L` : '-'],
    ['Application / market', `${req.application} / ${req.market}`],
    ['Service temperature', `${fmt(req.temperatureC.min)} to ${fmt(req.temperatureC.max)} C`],
    ['Envelope (stated)', `length ${env.maxLengthMm !== undefined ? `<= ${fmt(env.maxLengthMm)} mm` : 'free'}, diameter ${env.maxDiameterMm !== undefined ? `<= ${fmt(env.maxDiameterMm)} mm` : 'free'}`],
    ['Standards', req.standards.join(', ') || '-'],
    ['Priorities', req.priorities.join(', ') || '-'],
    ['Named by the requester (binding)', statedText(req.stated) || '-'],
    ['Read by', req.parsedBy],
  ]);
  flow.heading('Chosen design: key figures', 3);
  const g = d.geometry;
  flow.table(KV, [
    ['Tank type / liner / wrap', `Type ${basis.tankType} / ${liner} / ${fiber === 'none' ? 'none' : `${fiber} + ${basis.resin}`}`],
    ['Standards', basis.standards.join(', ')],
    ['Tanks', String(n)],
    ['Outer diameter x overall length (each)', `${fmt(2 * g.outerRadiusMm)} x ${fmt(g.overallLengthMm)} mm`],
    ['Water volume (each / all tanks)', `${fmt(g.waterVolumeL)} / ${fmt(d.totals.waterVolumeL)} L`],
    ['Stored H2 (all tanks, NWP and 15 C)', `${fmt(d.totals.storedH2Kg)} kg`],
    ['Mass, tanks only (as delivered)', `${fmt(d.totals.massKg)} kg, ${d.totals.gravimetricPct.toFixed(1)} wt % H2`],
    ...(sys ? [['Mass, storage system (tanks + valves and fittings)', `${fmt(sys.massKg)} kg, ${sys.gravimetricPct.toFixed(1)} wt % H2`]] : []),
    ['Volumetric, tanks only', `${fmt(d.totals.volumetricKgPerL)} kg H2 per litre of water volume`],
    ['Cost, tanks only', `${fmt(d.totals.costUsd)} USD`],
    ...(sys ? [['Cost, storage system', `${fmt(sys.costUsd)} USD (${fmt(sys.costUsd / kwh)} USD/kWh)`]] : []),
    ['Burst pressure: predicted / required', `${fmt(d.burstPressureMPa)} / ${fmt(basis.burstRatio * req.pressureMPa)} MPa`],
    ['Burst margin over the required burst', percent(d.safetyMargin)],
  ]);
  flow.heading('Assumptions', 3);
  flow.bullets(doc.assumptions.length ? doc.assumptions : ['None stated.']);
  flow.heading('Warnings', 3);
  flow.bullets(doc.warnings.length ? doc.warnings : ['None.']);
}

function analyses(flow: PdfFlow, doc: DesignDocument): void {
  flow.heading('Analyses');
  const TITLES: Record<string, string> = { stress: 'Stress', failure: 'Failure and burst', thermal: 'Fast-fill thermal', cost: 'Cost' };
  for (const [name, result] of Object.entries(doc.analyses)) {
    flow.heading(TITLES[name] ?? name, 3);
    if (result === null) {
      flow.paragraph('Not run in this workflow (degraded or skipped).', { color: INK.muted });
      continue;
    }
    // Stated assumptions read better as a list than as a table cell.
    const { assumptions, ...figures } = result;
    flow.pairs(analysisRows(figures));
    if (Array.isArray(assumptions) && assumptions.length) {
      flow.paragraph('Assumptions', { bold: true, size: 9 });
      flow.bullets(assumptions.map(String), 8.5);
    }
  }
  flow.heading('Validation', 3);
  if (doc.validation === null) flow.paragraph('No independent validation result.', { color: INK.muted });
  else flow.pairs(analysisRows(doc.validation));
}

/** What the requester named, in their words: 'Type III ("Type III"), steel ("steel")'. */
function statedText(stated: DesignDocument['requirements']['stated']): string {
  if (!stated) return '';
  const parts: string[] = [];
  if (stated.tankType) parts.push(`Type ${stated.tankType.value} ("${stated.tankType.words}")${stated.tankType.confirmed ? ', confirmed' : ''}`);
  if (stated.liner) parts.push(`liner ${stated.liner.value} ("${stated.liner.words}")`);
  if (stated.fiber) parts.push(`${stated.fiber.value === 'none' ? 'no wrap' : `fiber ${stated.fiber.value}`} ("${stated.fiber.words}")`);
  if (stated.application) parts.push(`application ${stated.application.value} ("${stated.application.words}")`);
  return parts.join('; ');
}

function compliance(flow: PdfFlow, doc: DesignDocument): void {
  flow.heading('Compliance');
  const c = doc.compliance;
  flow.paragraph(`Overall: ${c.passed ? 'PASSED' : 'FAILED'}, ${c.rules.filter((r) => r.verdict === 'pass').length} of ${c.rules.length} rules pass.`, {
    bold: true,
    color: c.passed ? INK.pass : INK.fail,
  });
  const q = (v: number | [number, number] | string | null): string =>
    v === null ? '-' : typeof v === 'number' ? fmt(v) : Array.isArray(v) ? `${fmt(v[0])} to ${fmt(v[1])}` : v;
  // compliance/rules.ts tags each limit with its H2_REFERENCE label ([S] source, [R] recalled, ...).
  const tag = (r: (typeof c.rules)[number]): string => (typeof r.source === 'string' ? ` ${r.source}` : '');
  const cols: Column[] = [
    { header: 'Standard, clause', width: 0.17 },
    { header: 'Requirement', width: 0.22 },
    { header: 'Limit', width: 0.1, align: 'right' },
    { header: 'Measured', width: 0.1, align: 'right' },
    { header: 'Unit', width: 0.1 },
    { header: 'Verdict', width: 0.13 },
    { header: 'Note', width: 0.18 },
  ];
  const squash = (t: string): string => t.replace(/[^a-z0-9]/gi, '').toUpperCase();
  // Clauses usually name their standard already ("GTR 13, hydraulic burst test").
  const where = (r: (typeof c.rules)[number]): string => (squash(r.clause).includes(squash(r.standard)) ? r.clause : `${r.standard} ${r.clause}`);
  const rows = c.rules.map((r) => [where(r), r.requirement, `${q(r.limit)}${tag(r)}`, q(r.measured), r.unit, r.verdict.toUpperCase().replace(/-/g, ' '), r.note ?? '']);
  flow.table(cols, rows, {
    color: (row, col) => {
      if (col !== 5) return undefined;
      const v = c.rules[row].verdict.toLowerCase();
      return v === 'pass' ? INK.pass : v === 'fail' ? INK.fail : INK.other;
    },
  });

  flow.heading('Pareto front: mass versus cost');
  const points: ChartPoint[] = doc.paretoFront.map((p) => ({ id: p.id, massKg: p.massKg, costUsd: p.costUsd, chosen: p.chosen, onFront: true }));
  if (!points.some((p) => p.chosen)) {
    const t = doc.design.totals;
    points.push({ id: doc.design.id, massKg: t.massKg, costUsd: t.costUsd, chosen: true, onFront: false });
  }
  flow.paragraph(
    `${doc.paretoFront.length} Pareto-optimal designs (mass and cost of all tanks, tanks only). ` +
      `The chosen design ${doc.design.id} is marked; the full front with its variables is in design.json.`,
    { size: 8.5, color: INK.muted },
  );
  const box = flow.reserve(290);
  drawParetoChart({ ...box, font: flow.regular }, points);
}

function decisionLog(flow: PdfFlow, doc: DesignDocument): void {
  flow.heading('Decision log');
  if (doc.decisions.length === 0) flow.paragraph('No decisions were recorded.', { color: INK.muted });
  doc.decisions.forEach((dr, i) => {
    flow.heading(`${i + 1}. ${dr.point}${dr.iteration > 0 ? ` (iteration ${dr.iteration})` : ''}: ${dr.chosen}`, 3);
    flow.paragraph(`Chosen ${dr.chosen} · method ${dr.method} · confidence ${fmt(dr.confidence)} · decided ${dr.decidedAt}`, { size: 8.5, color: INK.muted });
    flow.paragraph(`Options: ${dr.options.join(', ')}`, { size: 8.5, color: INK.muted });
    flow.paragraph(`Explanation: ${dr.explanation}`);
    const alternatives = dr.alternatives.map((a) => `${a.option}: ${a.reason}${a.ruleIds?.length ? ` (rules ${a.ruleIds.join(', ')})` : ''}`);
    flow.paragraph('Alternatives', { bold: true, size: 9 });
    flow.bullets(alternatives.length ? alternatives : ['none']);
    const evidence = dr.evidence.map((e) => [e.ruleId, e.dataPoint, e.clause, e.source].filter(Boolean).join(' - '));
    if (evidence.length) {
      flow.paragraph('Evidence', { bold: true, size: 9 });
      flow.bullets(evidence);
    }
    if (dr.notes?.length) {
      flow.paragraph('Notes', { bold: true, size: 9 });
      flow.bullets(dr.notes);
    }
  });
}

/**
 * Renders report.pdf from a validated design document.
 * @returns the PDF bytes and the page count.
 * @example const { bytes, pages } = await renderReport(doc);
 */
export async function renderReport(doc: DesignDocument): Promise<{ bytes: Uint8Array; pages: number }> {
  const pdf = await PDFDocument.create({ updateMetadata: false });
  const at = new Date(doc.provenance.createdAt);
  pdf.setTitle(`Hydrogen tank design report - ${doc.design.id}`);
  pdf.setSubject(`stagegraph run ${doc.provenance.runId}`);
  pdf.setAuthor('stagegraph');
  pdf.setCreator(`stagegraph ${doc.provenance.stagegraphVersion} (${doc.provenance.plugin.name} ${doc.provenance.plugin.version})`);
  pdf.setProducer('pdf-lib');
  pdf.setKeywords(['hydrogen', 'pressure vessel', `Type ${doc.basis.tankType}`, ...doc.basis.standards]);
  if (!Number.isNaN(at.getTime())) {
    pdf.setCreationDate(at);
    pdf.setModificationDate(at);
  }
  const flow = await PdfFlow.create(pdf);
  summary(flow, doc);
  flow.newPage();
  designPages(flow, doc);
  flow.newPage();
  analyses(flow, doc);
  flow.newPage();
  compliance(flow, doc);
  flow.newPage();
  decisionLog(flow, doc);
  flow.footer(`stagegraph - ${doc.design.id} - run ${doc.provenance.runId}`);
  const bytes = await pdf.save({ useObjectStreams: false });
  return { bytes, pages: pdf.getPageCount() };
}
