/**
 * `stagegraph worker [--concurrency 4] [--workflows a,b]`: executes queued runs (see
 * `graph/queue/`), up to `concurrency` at once, of the named workflows (default: every
 * workflow of the project's packs), on the project's database. No HTTP: API servers
 * (`stagegraph serve --workers 0`) start runs and stream their events. A worker also
 * takes over runs dead processes left behind. The first SIGTERM/SIGINT stops taking
 * runs and drains those executing to a checkpoint (they are `paused` by the shutdown
 * and another worker continues them from there), then exits 0.
 */
import type { Command } from 'commander';
import { createStagegraph } from '../graph/index.ts';
import { StagegraphError } from '../nodes/index.ts';
import { onShutdownSignals } from '../server/signals.ts';
import { loadProject, stagegraphOptions } from './project.ts';
import { exitCodeOf } from './session.ts';

function count(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new StagegraphError('invalid_input', `${flag} must be a whole number from 1 to 1000, got '${text}'`, { class: 'validation' });
  return n;
}

export function workerCommand(program: Command): void {
  program
    .command('worker')
    .description('execute queued runs (started by `stagegraph serve --workers 0` or any queue-mode process); drains on SIGTERM')
    .option('--concurrency <n>', 'runs executing at once in this process', '4')
    .addHelpText('after', '\n  --workflows a,b   (before or after `worker`) only the runs of these workflows; default: every workflow of the project')
    .action(async (o: { concurrency: string }) => {
      try {
        const concurrency = count(o.concurrency, '--concurrency');
        const project = await loadProject();
        const options = stagegraphOptions(project);
        // For `worker`, the global --workflows names the workflows to take (see cli.ts).
        const only = process.env.STAGEGRAPH_WORKER_WORKFLOWS?.split(',').map((s) => s.trim()).filter(Boolean);
        const known = [...options.packs!.flatMap((p) => p.workflows.map((w) => w.id)), ...options.workflows.map((w) => w.id)];
        const unknown = (only ?? []).filter((id) => !known.includes(id));
        if (unknown.length) {
          throw new StagegraphError('workflow_not_found', `--workflows names workflows this project does not have: ${unknown.join(', ')} (it has: ${known.join(', ')})`, { class: 'validation', details: { unknown } });
        }
        const sg = await createStagegraph({ ...options, queue: { concurrency, workflows: only, limits: project.loaded.config.queue?.limits, rates: project.loaded.config.queue?.rates } });
        const key = await sg.runs.executorKey();
        console.log(`stagegraph worker ${key} taking runs of ${(only ?? known).join(', ')} (concurrency ${concurrency})`);
        onShutdownSignals({
          onFirst: (signal) => {
            console.log(`${signal}: draining runs to a checkpoint; another worker continues them`);
            sg.close().then(() => process.exit(0), (e: unknown) => (console.error(e), process.exit(1)));
          },
          onRepeat: (signal, _n, forcing) => console.error(forcing ? `${signal}: forced exit` : `${signal}: still draining; once more forces exit`),
        });
      } catch (e) {
        process.exit(exitCodeOf(e));
      }
    });
}
