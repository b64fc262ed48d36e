/**
 * Stage 10 of the h2-tank workflow: writes the design package into `outDir`:
 * design.json (validated record), report.pdf (human-readable report), tank.step
 * (outer envelope as an exact STEP B-rep) and tank.svg (the dimensioned section
 * drawing, the same one the report shows). Returns each file's size and SHA-256.
 */
import { createHash } from 'node:crypto';
import { mkdir, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import type { StageContext, StagePlugin } from '../../../nodes/types.ts';
import { Design, DesignBasis, Requirements } from '../schemas.ts';
import { Analyses, Compliance, DecisionRecordSchema, buildDesignDocument, serializeDesignDocument } from '../export/design-json.ts';
import { renderReport } from '../export/report-pdf.ts';
import { drawingLabels } from '../export/report-design.ts';
import { sectionDrawing, toSvg } from '../export/section-drawing.ts';
import { tankStep } from '../export/step.ts';
import type { OuterProfile } from '../export/outer-profile.ts';
import { stagegraphVersion } from '../../../graph/packs/index.ts';

/** What the export stage reads from run state. */
export const ExportInput = z.object({
  runId: z.string().min(1),
  /** Directory the package is written to; created when missing. */
  outDir: z.string().min(1),
  requirements: Requirements,
  basis: DesignBasis,
  design: Design,
  /** The Pareto front the design was chosen from. */
  front: z.array(Design),
  decisions: z.array(DecisionRecordSchema),
  analyses: Analyses,
  compliance: Compliance,
  validation: z.record(z.string(), z.unknown()).nullable(),
  warnings: z.array(z.string()),
  /**
   * Time stamp written into all three files (ISO 8601).
   * @default the latest `decidedAt` of `decisions`, else the current time
   */
  createdAt: z.iso.datetime({ offset: true }).optional(),
});
export type ExportInput = z.infer<typeof ExportInput>;

/** The names of the files in a package. */
export const EXPORT_FILES = ['design.json', 'report.pdf', 'tank.step', 'tank.svg'] as const;

/** One written file. */
export const ExportedFile = z.object({
  name: z.enum(EXPORT_FILES),
  /** Absolute path. */
  path: z.string(),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type ExportedFile = z.infer<typeof ExportedFile>;

/** What the export stage returns. */
export const ExportOutput = z.object({
  files: z.array(ExportedFile).length(EXPORT_FILES.length),
  /** Absolute path of the package directory. */
  outDir: z.string(),
});
export type ExportOutput = z.infer<typeof ExportOutput>;

const NAME = 'export-package';
const VERSION = '1.0.0';


/** The input's time stamp, else the last decision's, else now: the same input gives the same files. */
function timestampOf(input: ExportInput): string {
  if (input.createdAt) return input.createdAt;
  const times = input.decisions.map((d) => d.decidedAt).filter((t) => !Number.isNaN(Date.parse(t)));
  if (times.length) return new Date(Math.max(...times.map((t) => Date.parse(t)))).toISOString();
  return new Date().toISOString();
}

/** How the STEP envelope was modelled, in words, for design.json's assumptions. */
function envelopeAssumptions(p: OuterProfile): string[] {
  return [
    `tank.step is the outer envelope of one tank as an exact B-rep (mm, axis z, centred): cylinder of radius ` +
      `${p.outerRadiusMm.toFixed(1)} mm and length ${p.cylinderLengthMm.toFixed(1)} mm, two geodesic-isotensoid domes for ` +
      `r0/R = ${p.rho0.toFixed(3)} stretched axially by ${p.axialScale.toFixed(3)} to ${p.domeHeightMm.toFixed(1)} mm each; ` +
      `envelope volume ${(p.volumeMm3 / 1e6).toFixed(2)} L.`,
    `Polar openings are closed by flat caps of radius ${p.poleRadiusMm.toFixed(1)} mm at the dome poles; bosses and valves are not modelled.`,
    'tank.svg is the section drawing of one tank through its axis (the one in report.pdf): outer contour as in tank.step, liner contours on the ' +
      'isotensoid meridian at the liner radii; every dimension printed on it is a figure of design.json.',
  ];
}

/** Writes through a temporary name so a reader never sees a half-written file. */
async function writeAtomic(dir: string, name: (typeof EXPORT_FILES)[number], data: string | Uint8Array): Promise<ExportedFile> {
  const path = join(dir, name);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, bytes);
  await rename(tmp, path);
  return { name, path, bytes: bytes.byteLength, sha256: createHash('sha256').update(bytes).digest('hex') };
}

async function run(input: ExportInput, ctx: StageContext): Promise<ExportOutput> {
  ctx.signal.throwIfAborted();
  const createdAt = timestampOf(input);
  const outDir = resolve(input.outDir);
  // Geometry first: a design that does not describe a closed tank fails before anything is written.
  const step = tankStep(input.design.geometry, { name: input.design.id, timestamp: createdAt.slice(0, 19), system: `stagegraph ${NAME}` });
  const doc = buildDesignDocument(input, {
    stagegraphVersion: stagegraphVersion(),
    plugin: { name: NAME, version: VERSION },
    createdAt,
    exportAssumptions: envelopeAssumptions(step.profile),
  });
  ctx.progress(20, 'design document assembled');
  ctx.signal.throwIfAborted();
  const svg = toSvg(sectionDrawing(doc.design, drawingLabels(doc)));
  const report = await renderReport(doc);
  ctx.progress(60, `report rendered (${report.pages} pages)`);
  ctx.signal.throwIfAborted();

  await mkdir(outDir, { recursive: true });
  const files = [
    await writeAtomic(outDir, 'design.json', serializeDesignDocument(doc)),
    await writeAtomic(outDir, 'report.pdf', report.bytes),
    await writeAtomic(outDir, 'tank.step', step.text),
    await writeAtomic(outDir, 'tank.svg', svg),
  ];
  ctx.progress(100, 'package written');
  ctx.log.info('export package written', { outDir, files: files.map((f) => `${f.name} ${f.bytes} B`) });
  return { files, outDir };
}

/**
 * The export stage plugin.
 * @example
 * const out = await exportPackageStage.run(input, ctx); // out.files: design.json, report.pdf, tank.step, tank.svg
 */
export const exportPackageStage: StagePlugin<typeof ExportInput, typeof ExportOutput> = {
  name: NAME,
  version: VERSION,
  description: 'Writes design.json, report.pdf, tank.step (STEP AP214 B-rep of the outer envelope) and tank.svg (dimensioned section drawing) for the chosen design',
  capabilities: ['export'],
  input: ExportInput,
  output: ExportOutput,
  policy: { timeoutMs: 60_000, estimateMs: 1_500 },
  run,
  /** Removes the files this stage wrote, and the directory if that leaves it empty. Idempotent. */
  async compensate(output) {
    await Promise.all(output.files.map((f) => rm(f.path, { force: true })));
    await rmdir(output.outDir).catch(() => undefined); // not empty or already gone: leave it
  },
};

/** The same plugin under its short name (workflow.ts imports it as `exportPackage`). */
export { exportPackageStage as exportPackage };
