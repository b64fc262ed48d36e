/**
 * `stagegraph gc [--dry-run] [--older-than 7d] [--json]`: collects the checkpoint
 * history of finished runs by each workflow's retention policy (`graph/retention/`)
 * and prints what it dropped. Events and decisions are never touched.
 */
import type { Command } from 'commander';
import { gc, type GcReport } from '../graph/retention/index.ts';
import { StagegraphError } from '../nodes/index.ts';
import { loadProject, projectWorkflows } from './project.ts';
import { exitCodeOf, withDatabase } from './session.ts';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * `7d`, `12h`, `30m`, `45s` (a number and a unit) in milliseconds.
 * @throws StagegraphError `invalid_duration`
 */
export function parseAge(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([smhd])$/.exec(text.trim());
  if (!m) throw new StagegraphError('invalid_duration', `--older-than must be a number and a unit (s, m, h, d), e.g. 7d; got '${text}'`, { class: 'validation' });
  return Number(m[1]) * UNIT_MS[m[2]!]!;
}

function size(bytes: number): string {
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(2)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(1)} kB`;
  return `${bytes} B`;
}

/** The report as a few lines for people. */
export function formatGcReport(r: GcReport): string {
  const d = r.dropped;
  const lines = [
    `${r.dryRun ? 'would collect' : 'collected'} ${r.runs.length} of ${r.examined} finished runs old enough: ` +
      `${d.checkpoints.rows} checkpoints, ${d.blobs.rows} blobs, ${d.writes.rows} pending writes, ${size(d.bytes)}`,
  ];
  for (const run of r.runs) {
    const bytes = run.dropped.checkpoints.bytes + run.dropped.blobs.bytes + run.dropped.writes.bytes;
    lines.push(`  ${run.runId}  ${run.workflowId}  ${run.status.padEnd(9)}  kept ${run.kept} checkpoints, dropped ${run.dropped.checkpoints.rows} (${size(bytes)})`);
  }
  if (r.dryRun) lines.push('dry run: nothing was dropped');
  return lines.join('\n');
}

export function gcCommand(program: Command): void {
  program
    .command('gc')
    .description("collect finished runs' checkpoint history by each workflow's retention policy (keeps what restore and audit need)")
    .option('--dry-run', 'report what would be dropped, drop nothing')
    .option('--older-than <age>', "runs finished longer ago than this (e.g. 7d, 12h), instead of each workflow's retention.afterDays")
    .option('--json', 'print the report as JSON')
    .action((o: { dryRun?: boolean; olderThan?: string; json?: boolean }) => {
      let olderThanMs: number | undefined;
      try {
        olderThanMs = o.olderThan === undefined ? undefined : parseAge(o.olderThan);
      } catch (e) {
        process.exit(exitCodeOf(e));
      }
      return withDatabase(async (db) => {
        const report = await gc(db, projectWorkflows(await loadProject()), { dryRun: o.dryRun ?? false, olderThanMs });
        console.log(o.json ? JSON.stringify(report) : formatGcReport(report));
      });
    });
}
