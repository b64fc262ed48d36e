/**
 * The export-package stage through its public entry point: `run()` with a minimal
 * context into a temporary directory, on a literal fixture (numbers from
 * engineering/evaluate-design.ts for a 70 MPa Type IV basis, rounded; no optimiser).
 * tank.step is read back by OpenCascade in step.test.ts; report.pdf's text is read back
 * by pdf.js (pdfjs-dist), an independent PDF reader; tank.svg is checked as text.
 */
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { afterAll, describe, expect, it } from 'vitest';
import { isStagegraphError } from '../../nodes/errors.ts';
import type { StageContext } from '../../nodes/types.ts';
import { DesignDocument } from '../../plugins/h2-tank/export/design-json.ts';
import type { Design } from '../../plugins/h2-tank/schemas.ts';
import { ExportInput, ExportOutput, exportPackageStage } from '../../plugins/h2-tank/stages/export-package.ts';

const variables = (innerRadiusMm: number, cylinderLengthMm: number, helicalAngleDeg: number) => ({
  count: 2, innerRadiusMm, cylinderLengthMm, helicalAngleDeg, linerThicknessMm: 4, fiberVolumeFraction: 0.6, burstFactor: 1.05,
});
const layup = (helicalFiberMm: number, hoopFiberMm: number, compositeMm: number) => ({ helicalFiberMm, hoopFiberMm, compositeMm, compositeDensityKgM3: 1560 });

const chosen: Design = {
  id: 'tank-9f2e7375',
  variables: variables(150, 600, 15),
  geometry: { innerRadiusMm: 150, outerRadiusMm: 169.82, cylinderLengthMm: 600, domeHeightMm: 94.4419, overallLengthMm: 828.524, polarOpeningRadiusMm: 39.8581, waterVolumeL: 51.974 },
  layup: layup(3.39123, 6.10096, 15.8203),
  massKg: { liner: 3.01962, composite: 18.3809, total: 25.1173 },
  costUsd: 490.949,
  storedH2Kg: 2.08791,
  burstPressureMPa: 165.375,
  safetyMargin: 0.05,
  totals: { waterVolumeL: 103.948, storedH2Kg: 4.17583, massKg: 50.2347, costUsd: 981.897, gravimetricPct: 8.31264, volumetricKgPerL: 0.0401723 },
};
const other = (id: string, R: number, L: number, a: number, outer: number, dome: number, overall: number, r0: number, massKg: number, costUsd: number): Design => ({
  ...chosen,
  id,
  variables: variables(R, L, a),
  geometry: { innerRadiusMm: R, outerRadiusMm: outer, cylinderLengthMm: L, domeHeightMm: dome, overallLengthMm: overall, polarOpeningRadiusMm: r0, waterVolumeL: 53 },
  totals: { ...chosen.totals, massKg, costUsd },
});
const front: Design[] = [
  other('tank-a222dc20', 170, 430, 13, 191.93, 105.804, 685.467, 39.1415, 49.9125, 988.967),
  chosen,
  other('tank-01ada1ca', 140, 720, 16, 158.766, 88.6943, 934.92, 39.6918, 50.6771, 987.891),
  other('tank-e8c9458c', 160, 520, 14, 180.875, 100.143, 762.035, 39.6752, 50.9261, 1003.4),
];

const requirements = {
  pressureMPa: 70, h2MassKg: 4, application: 'automotive', market: 'EU', temperatureC: { min: -40, max: 85 },
  envelope: { maxDiameterMm: 400 }, standards: ['GTR13', 'EC79'], priorities: ['lightest'],
  assumptions: ['Service temperature -40 to 85 C (GTR 13 default range).'], parsedBy: 'rules',
  text: 'I need a 70 MPa hydrogen tank for automotive use, 4 kg capacity',
} as const;

const decision = (point: string, chosenOption: string, options: string[], decidedAt: string, explanation: string) => ({
  id: `run-1:${point}:0`, point, iteration: 0, chosen: chosenOption,
  alternatives: options.filter((o) => o !== chosenOption).map((option) => ({ option, reason: `rule ${point}-1 prefers ${chosenOption}`, ruleIds: [`${point}-1`] })),
  explanation, evidence: [{ ruleId: `${point}-1`, dataPoint: 'pressureMPa = 70', clause: 'GTR 13 §5.1.1', source: 'H2_REFERENCE.md: netting theory' }],
  confidence: 0.9, method: 'rule' as const, inputs: { pressureMPa: 70 }, options, decidedAt,
});

/** A complete, valid input for the stage. */
function fixture(outDir: string, decisions = 4): ExportInput {
  const base = [
    decision('tank-type', 'IV', ['I', 'II', 'III', 'IV'], '2025-03-01T10:00:00.000Z', 'At 70 MPa only a full-composite Type IV reaches the mass target (≥ 5 wt %).'),
    decision('materials', 'HDPE/T700S', ['HDPE/T700S', 'PA6/T700S', 'HDPE/T1000G'], '2025-03-01T10:00:01.000Z', 'T700S gives the lowest cost per unit strength; HDPE is the usual Type IV liner.'),
    decision('goal', 'balanced', ['min-mass', 'min-cost', 'balanced'], '2025-03-01T10:00:02.000Z', 'No single priority dominates.'),
    { ...decision('design-choice', chosen.id, front.map((d) => d.id), '2025-03-01T10:00:05.000Z', 'Highest safety margin among the Pareto-optimal designs.'), method: 'default' as const, notes: ['No LLM configured.'] },
  ];
  const many = Array.from({ length: Math.max(0, decisions - base.length) }, (_, i) =>
    decision(`extra-${i}`, 'a', ['a', 'b'], '2025-03-01T09:00:00.000Z', 'A long explanation. '.repeat(20)),
  );
  return ExportInput.parse({
    runId: 'run-1',
    outDir,
    requirements,
    basis: { requirements, tankType: 'IV', liner: 'HDPE', fiber: 'T700S', resin: 'epoxy', burstRatio: 2.25, standards: ['GTR13', 'EC79'], goal: 'balanced', seed: 42 },
    design: chosen,
    front,
    decisions: [...base, ...many],
    analyses: {
      stress: { nwpMPa: 70, designBurstMPa: 165.375, netting: { helicalNwpMPa: 1760.2, hoopNwpMPa: 1721.9 }, stressRatio: 2.78 },
      failure: { criterion: 'Hashin 1980, plane stress', predictedBurstMPa: 168.2, burstMethod: 'progressive-hashin', burstRatio: 2.403 },
      thermal: { gasTempLimitC: 85, withHeatTransfer: { peakGasTempC: 78.4 }, pass: true, assumptions: ['Lumped model, film coefficient 250 W/m2K.'] },
      cost: null,
    },
    compliance: {
      rules: [
        { id: 'GTR13:burst', rule: 'burst', standard: 'GTR13', clause: 'GTR 13, hydraulic burst test', requirement: 'Burst >= 2.25 x NWP', limit: 2.25, measured: 2.403, unit: 'x NWP', verdict: 'pass', note: 'Predicted burst 168.2 MPa.', source: '[R]' },
        { id: 'GTR13:service-temperature', rule: 'service-temperature', standard: 'GTR13', clause: 'GTR 13, service conditions', requirement: 'Qualified range covers the service range', limit: [-40, 85], measured: [-40, 85], unit: 'C', verdict: 'pass', note: 'Covered.', source: '[R]' },
        { id: 'GTR13:permeation', rule: 'permeation', standard: 'GTR13', clause: 'GTR 13, permeation test', requirement: '<= 46 mL/h/L at 55 C', limit: 46, measured: null, unit: 'mL/h/L', verdict: 'not-assessable', note: 'Needs a test.', source: '[R]' },
      ],
      passed: true,
      failures: [],
      notAssessable: ['GTR13:permeation'],
    },
    validation: { method: 'thick-cylinder (Lamé) check', maxDeviationPct: 1.8, agrees: true },
    warnings: ['thermal fast-fill checked at 3 min fill only'],
  });
}

function ctx(signal = new AbortController().signal): StageContext {
  const noop = (): void => undefined;
  return {
    runId: 'run-1', stage: 'export-package', attempt: 1, signal, seed: 42,
    progress: noop, emit: noop, log: { debug: noop, info: noop, warn: noop, error: noop },
  };
}

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'sg-export-'));
  dirs.push(d);
  return d;
}
/** The package of the default fixture, for comparisons. */
async function renderDefault(): Promise<string> {
  const dir = await tempDir();
  await exportPackageStage.run(fixture(dir), ctx());
  return dir;
}
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** The text of each page of a PDF as pdf.js reads it, items joined by single spaces. */
async function pdfText(bytes: Buffer): Promise<string[]> {
  const pdf = await getDocument({ data: new Uint8Array(bytes), isEvalSupported: false, useSystemFonts: false, verbosity: 0 }).promise;
  const pages: string[] = [];
  for (let i = 1; i <= pdf.numPages; i++) {
    const content = await (await pdf.getPage(i)).getTextContent();
    pages.push(content.items.map((it) => ('str' in it ? it.str : '')).join(' ').replace(/\s+/g, ' '));
  }
  await pdf.destroy();
  return pages;
}

/** Knock-down rows as the engineering side states them (engineering/knockdowns.ts). */
const KNOCKDOWNS = [
  { id: 'fiber-stress', label: 'Delivered fiber stress in the vessel', value: 0.7, unit: 'x strand', source: 'H2_REFERENCE.md: CORRECTION, ANL-10/24 [R]' },
  { id: 'burst-mean', label: 'Mean burst over minimum (BP0 / BPmin)', value: 1.1, source: 'GTR 13 +-10 % of BP0 [R]' },
  { id: 'bosses', label: 'Bosses per tank', value: 1.6, unit: 'kg', source: '2 x 0.8 kg (car) [T]' },
];

/** Page objects in the raw file (the report is saved without object streams). */
const rawPageCount = (pdf: Buffer): number => (pdf.toString('latin1').match(/\/Type\s*\/Page(?![a-zA-Z])/g) ?? []).length;

describe('export-package stage', () => {
  it('writes design.json, report.pdf, tank.step and tank.svg and reports their size and hash', async () => {
    const outDir = join(await tempDir(), 'package');
    const out = ExportOutput.parse(await exportPackageStage.run(fixture(outDir), ctx()));
    expect(out.outDir).toBe(outDir);
    expect(out.files.map((f) => f.name)).toEqual(['design.json', 'report.pdf', 'tank.step', 'tank.svg']);
    expect((await readdir(outDir)).sort()).toEqual(['design.json', 'report.pdf', 'tank.step', 'tank.svg']);
    for (const f of out.files) {
      const bytes = await readFile(f.path);
      expect(bytes.byteLength).toBe(f.bytes);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(f.sha256);
    }

    const doc = DesignDocument.parse(JSON.parse(await readFile(join(outDir, 'design.json'), 'utf8')));
    const input = fixture(outDir);
    expect(doc.decisions).toEqual(input.decisions);
    expect(doc.decisions.every((d) => d.explanation.length > 0)).toBe(true);
    expect(doc.design).toEqual(chosen);
    expect(doc.paretoFront).toHaveLength(4);
    expect(doc.paretoFront.filter((p) => p.chosen).map((p) => p.id)).toEqual([chosen.id]);
    expect(doc.compliance.rules[1].limit).toEqual([-40, 85]);
    expect(doc.compliance).toMatchObject({ notAssessable: ['GTR13:permeation'] });
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(doc.provenance).toMatchObject({ stagegraphVersion: pkg.version, runId: 'run-1', seed: 42, createdAt: '2025-03-01T10:00:05.000Z' });
    expect(doc.provenance.plugin).toEqual({ name: 'export-package', version: '1.0.0' });
    expect(doc.provenance.sources).toEqual(expect.arrayContaining(['H2_REFERENCE.md: netting theory', 'GTR 13 §5.1.1', 'GTR13: GTR 13, hydraulic burst test']));
    expect(doc.assumptions[0]).toBe(requirements.assumptions[0]);
    expect(doc.assumptions).toContain('thermal: Lumped model, film coefficient 250 W/m2K.');
    expect(doc.assumptions.some((a) => a.startsWith('tank.step is the outer envelope'))).toBe(true);

    const pdf = await readFile(join(outDir, 'report.pdf'));
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.toString('latin1').trimEnd().endsWith('%%EOF')).toBe(true);
    const loaded = await PDFDocument.load(pdf, { updateMetadata: false });
    // summary, design (drawing, figures, knock-downs, references), analyses, compliance + chart, decision log
    expect(loaded.getPageCount()).toBeGreaterThanOrEqual(5);
    expect(rawPageCount(pdf)).toBe(loaded.getPageCount());
    expect(loaded.getTitle()).toBe(`Hydrogen tank design report - ${chosen.id}`);
    expect(loaded.getCreationDate()?.toISOString()).toBe('2025-03-01T10:00:05.000Z');

    const step = await readFile(join(outDir, 'tank.step'), 'utf8');
    expect(step.startsWith('ISO-10303-21;')).toBe(true);
    expect(step).toContain("FILE_SCHEMA(('AUTOMOTIVE_DESIGN");
    expect(step).toContain(`MANIFOLD_SOLID_BREP('${chosen.id}'`);

    const svg = await readFile(join(outDir, 'tank.svg'), 'utf8');
    expect(svg.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    for (const label of ['Overall length 829 mm', 'Cylinder 600 mm', 'OD 340 mm', 'ID 300 mm', 'Polar opening 79.7 mm', 'Dome 114 mm']) expect(svg).toContain(`>${label}</text>`);
    expect(svg).toContain('Wall: HDPE liner 4 mm + T700S/epoxy composite 15.8 mm; one of 2 tanks, water volume 52.0 L');
    expect(svg.match(/<polygon /g)!.length).toBeGreaterThanOrEqual(5); // wall, liner, gas space, two polar openings
  });

  it("report.pdf reads as an engineer's report: drawing labels, human labels with units, no field paths, references", async () => {
    const dir = await tempDir();
    const input = fixture(dir);
    input.design = { ...chosen, safetyMargin: 1.9e-11, assumptions: KNOCKDOWNS };
    input.front = front.map((d) => (d.id === chosen.id ? input.design : d));
    await exportPackageStage.run(input, ctx());
    const pages = await pdfText(await readFile(join(dir, 'report.pdf')));
    const all = pages.join('\n');
    if (process.env['SHOW_REPORT']) console.log(pages.map((p, i) => `--- page ${i + 1}\n${p}`).join('\n'));
    // Summary: tank-only figures named as such, the margin rounded, not 1.9e-11.
    expect(pages[0]).toContain('Tanks only: 50.23 kg (8.3 wt % H2)');
    expect(pages[0]).toContain('Burst margin over the required burst 0.0 %');
    expect(all).not.toMatch(/e-1\d/);
    // The section drawing's dimensions are text in the PDF (vector drawing, not an image).
    const design = pages.find((p) => p.includes('Section drawing'))!;
    for (const label of ['Overall length 829 mm', 'Cylinder 600 mm', 'OD 340 mm', 'ID 300 mm', 'Dome 114 mm']) expect(design).toContain(label);
    // Human labels with units, never field paths.
    for (const row of ['Inner radius 150 mm', 'Cylinder length 600 mm', 'Helical winding angle 15 deg', 'Composite wall thickness 15.82 mm', 'Fiber volume fraction 60.0 %', 'Tank mass as delivered (no valves) 25.12 kg']) {
      expect(all).toContain(row);
    }
    expect(all).not.toMatch(/variables\.|geometry\.|layup\.|massKg\.|innerRadiusMm|safetyMargin|[a-z][A-Z][a-z]+(MPa|Mm|Kg|Usd)\b/);
    // Analyses read from their field names: 'Predicted burst 168.2 MPa', 'Peak gas temp (with heat transfer) 78.4 C'.
    expect(all).toContain('Predicted burst 168.2 MPa');
    expect(all).toContain('Peak gas temp (with heat transfer) 78.4 C');
    // The knock-downs table from the design's stated assumptions, and the reference comparison.
    expect(all).toContain('Knock-downs and allowances');
    expect(all).toContain('Delivered fiber stress in the vessel 0.7 x strand H2_REFERENCE.md: CORRECTION, ANL-10/24 [R]');
    expect(all).toContain('Toyota Mirai gen 1 (Type IV) 70 2 122.4 5.0 87.5 5.7 979 tank only H2_REFERENCE.md, "A published tank" [S]');
    expect(all).toContain('Cost per tank (no valves) 491 USD');
    expect(all).toContain('8.3 wt % tank only against the Mirai gen 1\'s 5.7 % (1.46 x); 1448 bar L/kg; ABOVE the 4.5-6.5 wt % band and ABOVE the 750-1150 bar L/kg band');
  });

  it('says so when a design states no knock-downs', async () => {
    const dir = await tempDir();
    await exportPackageStage.run(fixture(dir), ctx());
    const all = (await pdfText(await readFile(join(dir, 'report.pdf')))).join('\n');
    expect(all).toContain('This design record states no knock-downs: it is the ideal netting shell');
  });

  it('writes byte-identical files for the same input', async () => {
    const [a, b] = await Promise.all([tempDir(), tempDir()]);
    const outA = await exportPackageStage.run(fixture(a), ctx());
    const outB = await exportPackageStage.run(fixture(b), ctx());
    expect(ExportOutput.parse(outA).files.map((f) => f.sha256)).toEqual(ExportOutput.parse(outB).files.map((f) => f.sha256));
  });

  it('breaks a long decision log and long tables across pages', async () => {
    const dir = await tempDir();
    const input = fixture(dir, 30);
    input.analyses.stress = Object.fromEntries(Array.from({ length: 160 }, (_, i) => [`ply${i}.fiberStressMPa`, 1000 + i]));
    await exportPackageStage.run(input, ctx());
    const pdf = await readFile(join(dir, 'report.pdf'));
    const pages = (await PDFDocument.load(pdf)).getPageCount();
    expect(pages).toBeGreaterThan((await PDFDocument.load(await readFile(join(await renderDefault(), 'report.pdf')))).getPageCount());
    expect(rawPageCount(pdf)).toBe(pages);
  });

  it('writes nothing when the signal is already aborted', async () => {
    const dir = join(await tempDir(), 'aborted');
    const controller = new AbortController();
    controller.abort(new Error('paused'));
    await expect(exportPackageStage.run(fixture(dir), ctx(controller.signal))).rejects.toThrow('paused');
    await expect(stat(dir)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('rejects a geometry that is not a closed tank before writing, with export_invalid_geometry', async () => {
    const dir = join(await tempDir(), 'bad');
    const input = fixture(dir);
    input.design = { ...chosen, geometry: { ...chosen.geometry, polarOpeningRadiusMm: 0 } };
    const err = await exportPackageStage.run(input, ctx()).catch((e: unknown) => e);
    expect(isStagegraphError(err, 'export_invalid_geometry')).toBe(true);
    await expect(stat(dir)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('compensate removes the package it wrote, and is idempotent', async () => {
    const dir = join(await tempDir(), 'undo');
    const out = ExportOutput.parse(await exportPackageStage.run(fixture(dir), ctx()));
    await exportPackageStage.compensate!(out, ctx());
    await exportPackageStage.compensate!(out, ctx());
    await expect(stat(dir)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('input schema rejects a decision without an explanation', () => {
    const input = fixture('/tmp/unused') as unknown as { decisions: Array<Record<string, unknown>> };
    const { explanation: _, ...rest } = input.decisions[0];
    expect(ExportInput.safeParse({ ...input, decisions: [rest] }).success).toBe(false);
  });
});
