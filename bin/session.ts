/**
 * One command's stagegraph: opened for the command, closed after it, with the exit
 * code decided in one place. Commands that only read open it with `recover: false`, so
 * that reading never takes over, resumes or drains a run; commands that execute runs
 * drain them on SIGTERM/SIGINT instead of dying mid-step.
 *
 * Exit codes: 0 completed, 1 failed, 2 bad usage or input, 3 waiting for input,
 * 4 paused or aborted.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { databaseOptions } from '../config/settings.ts';
import { createStagegraph, openDatabase, type Database, type RunEvent, type RunRow, type Stagegraph } from '../graph/index.ts';
import { StagegraphError } from '../nodes/index.ts';
import { onShutdownSignals } from '../server/signals.ts';
import { RunRenderer } from './render.ts';
import { loadProject, stagegraphOptions } from './project.ts';

export const EXIT: Record<string, number> = { completed: 0, failed: 1, waiting_input: 3, paused: 4, aborted: 4 };

export interface SessionOptions {
  /**
   * Take over runs a dead process left behind (at open and periodically). Only
   * `stagegraph recover` does. @default false
   */
  recover?: boolean;
  /** The command executes runs here: the first SIGTERM/SIGINT drains them. @default false */
  executes?: boolean;
}

/** Prints a command's error the same way everywhere and maps it to an exit code. */
export function exitCodeOf(e: unknown): number {
  if (e instanceof StagegraphError) {
    console.error(`error [${e.code}]: ${e.message}${e.hint ? `\nhint: ${e.hint}` : ''}`);
    return e.class === 'validation' ? 2 : 1;
  }
  console.error(e);
  return 1;
}

/** The project's packs, database and LLM (decisions' fallback and stages' `ctx.llm`), from its config and the environment. */
async function open(recover: boolean, executes: boolean): Promise<Stagegraph> {
  const options = stagegraphOptions(await loadProject());
  // A command that only reads or signals runs delivers no hooks: the processes executing them do.
  return createStagegraph({ ...options, recover, ...(executes ? {} : { hooks: { ...options.hooks, deliver: false } }) });
}

/** Runs `fn` with a stagegraph, closes it (draining what still executes here), exits with its code. */
export async function withStagegraph(options: SessionOptions, fn: (sg: Stagegraph) => Promise<number>): Promise<never> {
  let sg: Stagegraph | undefined;
  let off: () => void = () => undefined;
  let code = 1;
  try {
    sg = await open(options.recover ?? false, options.executes ?? false);
    const opened = sg;
    if (options.executes) {
      off = onShutdownSignals({
        onFirst: (signal) => {
          console.error(`${signal}: pausing at the next step boundary (send it again twice to force exit)`);
          opened.runs.drain().catch((e: unknown) => console.error(e));
        },
        onRepeat: (signal, _count, forcing) =>
          console.error(forcing ? `${signal}: forced exit; the run continues with stagegraph recover` : `${signal}: still pausing; once more forces exit`),
      });
    }
    code = await fn(sg);
  } catch (e) {
    code = exitCodeOf(e);
  } finally {
    await sg?.close().catch((e: unknown) => console.error(e));
    off();
  }
  process.exit(code);
}

/** Runs `fn` with the database only (no stagegraph: nothing executes or recovers), closes it, exits with its code (`fn`'s number, or 0). */
export async function withDatabase(fn: (db: Database) => Promise<void | number>): Promise<never> {
  let db: Database | undefined;
  let code = 0;
  try {
    db = await openDatabase(databaseOptions((await loadProject()).loaded));
    code = (await fn(db)) ?? 0;
  } catch (e) {
    code = exitCodeOf(e);
  } finally {
    await db?.close().catch((e: unknown) => console.error(e));
  }
  process.exit(code);
}

/** Follows a run's events until it stops executing here, then prints its summary. */
export async function follow(sg: Stagegraph, runId: string, since = 0): Promise<RunRow> {
  const view = new RunRenderer();
  let last = since;
  // Live events wait until the backlog is shown: in seq order, none skipped.
  let live: RunEvent[] | undefined = [];
  const show = (e: RunEvent) => {
    if (e.seq <= last) return;
    last = e.seq;
    view.handle(e);
  };
  const unsubscribe = sg.bus.subscribe(runId, (e) => (live ? live.push(e) : show(e)));
  for (const e of await sg.runs.eventsSince(runId, since)) show(e);
  const buffered = live;
  live = undefined;
  for (const e of buffered) show(e);
  const row = await sg.runs.wait(runId);
  for (const e of await sg.runs.eventsSince(runId, last)) (last = e.seq), view.handle(e);
  unsubscribe();
  view.done();
  await summarize(sg, row);
  return row;
}

/** The run's outcome for a person: the workflow's summary lines, artifacts, and what to do next. */
export async function summarize(sg: Stagegraph, row: RunRow): Promise<void> {
  const wf = await sg.runs.workflowOf(row);
  const state = await wf.graph.getState({ configurable: { thread_id: row.id } });
  for (const line of wf.built.def.summarize?.(state.values) ?? []) console.log(line);
  const dir = join(String(row.options.outRoot ?? 'out'), row.id);
  if (existsSync(dir)) {
    console.log(`artifacts in ${relative(process.cwd(), dir) || dir}/: ${readdirSync(dir).join(', ')}`);
  }
  if (row.status === 'waiting_input') {
    const q = row.question as { question?: string; details?: { answerWith?: unknown } } | null;
    console.log(`question: ${q?.question ?? JSON.stringify(q)}`);
    console.log(`answer with: stagegraph answer ${row.id} '${JSON.stringify(q?.details?.answerWith ?? {})}'`);
  }
  if (row.status === 'paused') {
    const pause = (await sg.runs.eventsSince(row.id)).findLast((e) => e.type === 'workflow.paused');
    const shutdown = pause?.type === 'workflow.paused' && pause.payload.reason === 'shutdown';
    console.log(`continue with: stagegraph resume ${row.id}${shutdown ? '   (or it continues by itself on the next stagegraph serve / stagegraph recover)' : ''}`);
  }
  console.log(`status: ${row.status}   (stagegraph show ${row.id})`);
}
