/**
 * The `stagegraph` command line: run a workflow in-process with live progress, list
 * and show runs, resume or answer them. Exit codes: 0 completed, 1 failed, 2 bad
 * usage or input, 3 waiting for input, 4 paused or aborted.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Command } from 'commander';
import { chatModelFromEnv, createStagegraph, formatReplayReport, llmFallbackFromEnv, type RunRow, type Stagegraph } from '../graph/index.ts';
import { StagegraphError } from '../nodes/index.ts';
import { builtinWorkflows } from '../plugins/index.ts';
import { RunRenderer } from './render.ts';

const EXIT: Record<string, number> = { completed: 0, failed: 1, waiting_input: 3, paused: 4, aborted: 4 };

/** The LLM (decisions' fallback and stages' `ctx.llm`) comes from the environment, when configured. */
async function open(): Promise<Stagegraph> {
  return createStagegraph({ workflows: builtinWorkflows(), deps: { fallback: llmFallbackFromEnv(process.env), llm: chatModelFromEnv(process.env) } });
}

/** Follows a run's events until it stops executing here, then prints its summary. */
async function follow(sg: Stagegraph, runId: string, since = 0): Promise<RunRow> {
  const view = new RunRenderer();
  let last = since;
  const unsubscribe = sg.bus.subscribe(runId, (e) => {
    if (e.seq <= last) return;
    last = e.seq;
    view.handle(e);
  });
  for (const e of await sg.runs.eventsSince(runId, since)) if (e.seq > last) (last = e.seq), view.handle(e);
  const row = await sg.runs.wait(runId);
  for (const e of await sg.runs.eventsSince(runId, last)) (last = e.seq), view.handle(e);
  unsubscribe();
  view.done();
  await summarize(sg, row);
  return row;
}

async function summarize(sg: Stagegraph, row: RunRow): Promise<void> {
  const wf = sg.workflows.get(row.workflowId)!;
  const { graph } = wf;
  const state = await graph.getState({ configurable: { thread_id: row.id } });
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
  console.log(`status: ${row.status}   (stagegraph show ${row.id})`);
}

async function withStagegraph(fn: (sg: Stagegraph) => Promise<number>): Promise<void> {
  let sg: Stagegraph | undefined;
  let code = 1;
  try {
    sg = await open();
    code = await fn(sg);
  } catch (e) {
    if (e instanceof StagegraphError) {
      console.error(`error [${e.code}]: ${e.message}${e.hint ? `\nhint: ${e.hint}` : ''}`);
      code = e.class === 'validation' ? 2 : 1;
    } else {
      console.error(e);
    }
  } finally {
    await sg?.close().catch(() => undefined);
  }
  process.exit(code);
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new StagegraphError('invalid_json', `${what} is not valid JSON: ${text}`, { class: 'validation' });
  }
}

const program = new Command('stagegraph').description('Autonomous agent workflows on LangGraph JS').showHelpAfterError();

program
  .command('run')
  .description('run a workflow in-process with live progress')
  .argument('<request...>', 'the request, in plain English (or JSON with --json)')
  .option('-w, --workflow <id>', 'workflow id', 'h2-tank')
  .option('--json', 'the request is structured JSON')
  .option('--seed <n>', 'seed for deterministic stages', '1')
  .option('--out <dir>', 'where artifacts go (<dir>/<run id>/)', 'out')
  .action((words: string[], o: { workflow: string; json?: boolean; seed: string; out: string }) =>
    withStagegraph(async (sg) => {
      const text = words.join(' ');
      const request = o.json ? parseJson(text, 'request') : text;
      const run = await sg.runs.start({ workflowId: o.workflow, request, options: { seed: Number(o.seed), outRoot: o.out } });
      const row = await follow(sg, run.id);
      return EXIT[row.status] ?? 1;
    }),
  );

program
  .command('runs')
  .description('list runs, newest first')
  .option('-s, --status <status>', 'only runs with this status')
  .option('-n, --limit <n>', 'how many', '20')
  .action((o: { status?: string; limit: string }) =>
    withStagegraph(async (sg) => {
      const rows = await sg.runs.list({ status: o.status as RunRow['status'] | undefined, limit: Number(o.limit) });
      for (const r of rows) console.log(`${r.id}  ${r.status.padEnd(13)} ${String(Math.round(r.progress)).padStart(3)}%  ${r.workflowId}  ${r.createdAt}`);
      if (rows.length === 0) console.log('no runs yet: stagegraph run "<request>"');
      return 0;
    }),
  );

program
  .command('show')
  .description('show a run: status, stages, decisions, partial results')
  .argument('<id>')
  .action((id: string) =>
    withStagegraph(async (sg) => {
      const v = await sg.runs.get(id);
      console.log(`run ${v.id} (${v.workflowId}): ${v.status}${v.degraded ? ' (degraded)' : ''}, ${Math.round(v.progress)}%`);
      console.log(`completed: ${v.completed.join(' -> ') || '-'}`);
      if (v.next.length) console.log(`next: ${v.next.join(', ')}`);
      if (v.missing.length) console.log(`missing: ${v.missing.join(', ')}`);
      for (const d of v.decisions) console.log(`◆ ${d.point} -> ${d.chosen} (${d.method}, ${d.confidence.toFixed(2)}): ${d.explanation}`);
      for (const w of v.warnings) console.log(`warning: ${w.message}`);
      if (v.error) console.log(`error [${v.error.code}]: ${v.error.message}`);
      await summarize(sg, v);
      return 0;
    }),
  );

program
  .command('resume')
  .description('resume a paused run (or one a dead process left running) and follow it')
  .argument('<id>')
  .action((id: string) =>
    withStagegraph(async (sg) => {
      const row = await sg.runs.get(id);
      const since = (await sg.runs.eventsSince(id)).at(-1)?.seq ?? 0;
      if (row.status === 'paused') await sg.runs.resume(id, 'cli');
      else if (row.status !== 'running') {
        throw new StagegraphError('invalid_transition', `run ${id} is ${row.status}: cannot resume (allowed from paused)`, { class: 'validation' });
      }
      return EXIT[(await follow(sg, id, since)).status] ?? 1;
    }),
  );

program
  .command('answer')
  .description('answer a run waiting for input and follow it')
  .argument('<id>')
  .argument('<json>', "the answer, e.g. '{\"clarifications\":{\"pressure\":\"70 MPa\"}}'")
  .action((id: string, json: string) =>
    withStagegraph(async (sg) => {
      const since = (await sg.runs.eventsSince(id)).at(-1)?.seq ?? 0;
      await sg.runs.answer(id, parseJson(json, 'answer'), 'cli');
      return EXIT[(await follow(sg, id, since)).status] ?? 1;
    }),
  );

program
  .command('abort')
  .description('abort a run and compensate its completed stages')
  .argument('<id>')
  .option('-r, --reason <text>', 'why', 'aborted from the command line')
  .action((id: string, o: { reason: string }) =>
    withStagegraph(async (sg) => {
      const row = await sg.runs.abort(id, o.reason, 'cli');
      console.log(`run ${id}: ${row.status}`);
      return 0;
    }),
  );

program
  .command('serve')
  .description('serve the REST API, the WebSocket event stream and the dashboard (drains runs on SIGTERM)')
  .option('-p, --port <n>', 'port', process.env.PORT ?? '8080')
  .option('--host <host>', 'interface to listen on', '127.0.0.1')
  .option('--no-auth', 'no authentication (local development only)')
  .action(async (o: { port: string; host: string; auth: boolean }) => {
    try {
      const { serve } = await import('../server/index.ts');
      await serve({
        port: Number(o.port),
        host: o.host,
        auth: o.auth ? 'local' : 'none',
        stagegraph: { deps: { fallback: llmFallbackFromEnv(process.env), llm: chatModelFromEnv(process.env) } },
      });
    } catch (e) {
      console.error(e instanceof StagegraphError ? `error [${e.code}]: ${e.message}` : e);
      process.exit(e instanceof StagegraphError && e.class === 'validation' ? 2 : 1);
    }
  });

const decisions = program.command('decisions').description('the decision ledger');

decisions
  .command('replay')
  .description('re-evaluate recorded decisions against the current rules and preferences; report what would change')
  .option('--since <date>', 'only decisions made since this date (ISO 8601)')
  .action((o: { since?: string }) =>
    withStagegraph(async (sg) => {
      const since = o.since ? new Date(o.since) : undefined;
      if (since && Number.isNaN(since.getTime())) {
        throw new StagegraphError('invalid_date', `--since is not a date: ${o.since}`, { class: 'validation' });
      }
      console.log(formatReplayReport(await sg.decisions.replay({ since })));
      return 0;
    }),
  );

decisions
  .command('explain')
  .description('explain one decision: what, why, what else was considered, what would have changed it')
  .argument('<decisionId>')
  .action((id: string) =>
    withStagegraph(async (sg) => {
      console.log((await sg.decisions.explain(id)).text);
      return 0;
    }),
  );

await program.parseAsync(process.argv);
