/**
 * The design pages of report.pdf: the dimensioned section drawing, the design in
 * labelled figures (grouped: size, wall, mass, performance), the knock-downs and
 * allowances the design was sized with, and the comparison against published tanks.
 */
import { degrees } from 'pdf-lib';
import type { DesignDocument } from './design-json.ts';
import { designRow, figure, humanRows } from './labels.ts';
import { INK, type Column, type PdfFlow } from './pdf-flow.ts';
import { referenceRows, referenceVerdict } from './reference-tanks.ts';
import { drawOnPdf, sectionDrawing, type DrawingLabels } from './section-drawing.ts';

/** The labels the section drawing carries for this design. */
export function drawingLabels(doc: Pick<DesignDocument, 'basis' | 'design'>): DrawingLabels {
  const fiber = doc.design.materials?.fiber ?? doc.design.variables.fiber ?? doc.basis.fiber;
  const liner = doc.design.materials?.liner ?? doc.design.variables.liner ?? doc.basis.liner;
  return { liner, wrap: fiber === 'none' ? 'none' : `${fiber}/${doc.basis.resin}`, tankType: doc.basis.tankType };
}

/** Design fields shown, by group, in the order an engineer reads them. */
const GROUPS: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['Size (one tank)', ['variables.count', 'geometry.outerRadiusMm', 'geometry.innerRadiusMm', 'geometry.cylinderLengthMm', 'geometry.overallLengthMm', 'geometry.domeHeightMm', 'geometry.polarOpeningRadiusMm', 'geometry.waterVolumeL']],
  ['Wall', ['variables.liner', 'variables.fiber', 'variables.linerThicknessMm', 'layup.compositeMm', 'layup.helicalFiberMm', 'layup.hoopFiberMm', 'variables.helicalAngleDeg', 'variables.fiberVolumeFraction', 'layup.compositeDensityKgM3']],
  ['Mass and cost (one tank)', ['massKg.liner', 'massKg.composite', 'massKg.bosses', 'massKg.protection', 'massKg.domeCaps', 'massKg.total', 'costUsd']],
  ['Performance (one tank)', ['storedH2Kg', 'burstPressureMPa', 'variables.burstFactor', 'safetyMargin']],
];

function valueAt(record: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), record);
}

/** The design's figures as labelled rows per group (fields the design does not carry are left out). */
export function designTable(doc: Pick<DesignDocument, 'design'>): Array<[string, Array<[string, string]>]> {
  return GROUPS.map(([group, paths]) => [
    group,
    paths.flatMap((p) => {
      const v = valueAt(doc.design, p);
      return v === undefined ? [] : [designRow(p, v)];
    }),
  ]);
}

const KNOCKDOWN_COLS: Column[] = [
  { header: 'Knock-down or allowance', width: 0.42 },
  { header: 'Value', width: 0.16, align: 'right' },
  { header: 'Basis', width: 0.42 },
];

const REF_COLS: Column[] = [
  { header: 'Tank or target', width: 0.22 },
  { header: 'NWP MPa', width: 0.07, align: 'right' },
  { header: 'Tanks', width: 0.06, align: 'right' },
  { header: 'Water L', width: 0.08, align: 'right' },
  { header: 'H2 kg', width: 0.07, align: 'right' },
  { header: 'Mass kg', width: 0.08, align: 'right' },
  { header: 'wt % H2', width: 0.08, align: 'right' },
  { header: 'bar L/kg', width: 0.08, align: 'right' },
  { header: 'Counts', width: 0.08 },
  { header: 'Source', width: 0.18 },
];

/** Section drawing, design figures, knock-downs and reference comparison. */
export function designPages(flow: PdfFlow, doc: DesignDocument): void {
  const d = doc.design;
  flow.heading('Section drawing');
  const drawing = sectionDrawing(d, drawingLabels(doc), flow.width, 300);
  const box = flow.reserve(drawing.height);
  drawOnPdf(drawing, {
    page: box.page,
    font: flow.regular,
    x: box.x,
    top: box.y + box.height,
    drawText: (text, at) => {
      if (at.rotate) box.page.drawText(flow.clean(text), { x: at.x, y: at.y, size: at.size, font: flow.regular, color: INK.text, rotate: degrees(at.rotate) });
      else flow.text(box.page, flow.clean(text), { x: at.x, y: at.y, size: at.size, font: flow.regular, color: INK.text });
    },
  });
  flow.paragraph('The same drawing is tank.svg in the package. Domes are drawn on the isotensoid meridian; the figures come from design.json.', { size: 8, color: INK.muted });

  flow.heading('Design');
  for (const [group, rows] of designTable(doc)) {
    if (rows.length === 0) continue;
    flow.heading(group, 3);
    flow.pairs(rows, ['Item', 'Value']);
  }

  flow.heading('Knock-downs and allowances');
  if (d.assumptions?.length) {
    flow.paragraph('What the design was sized with beyond the ideal netting shell, each stated with its basis.', { size: 8.5, color: INK.muted });
    flow.table(KNOCKDOWN_COLS, d.assumptions.map((a) => [a.label, typeof a.value === 'number' ? `${figure(a.value)}${a.unit ? ` ${a.unit}` : ''}` : `${a.value}${a.unit ? ` ${a.unit}` : ''}`, a.source]));
  } else {
    flow.paragraph('This design record states no knock-downs: it is the ideal netting shell (sized before engineering/knockdowns.ts). Expect the real tank to be heavier.', { color: INK.fail });
  }

  flow.heading('Against published tanks and targets');
  const rows = referenceRows(d, doc.basis);
  flow.table(REF_COLS, rows.map((r) => [r.name, r.nwpMPa, r.tanks, r.waterVolumeL, r.h2Kg, r.massKg, r.wtPct, r.barLPerKg, r.basis, r.source]), { size: 7.5 });
  flow.paragraph(referenceVerdict(d, doc.basis));
}

/** An analysis or validation record as labelled rows, for the analyses pages. */
export function analysisRows(record: Record<string, unknown>): Array<[string, string]> {
  return humanRows(record);
}
