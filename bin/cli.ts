#!/usr/bin/env node
/**
 * The `stagegraph` command line: run a workflow in-process with live progress, list
 * and show runs, resume, answer, abort or recover them, serve the API (and, with
 * `--workers`, queue runs for workers), execute queued runs (`worker`), manage API keys,
 * scaffold a project (`init`), open its graphs in LangGraph Studio (`studio`), grade
 * workflows and check them against a baseline (`eval`; its own exit codes). Every
 * command reads the project's config (`project.ts`). Reading (`runs`, `show`,
 * `decisions`) never takes over, resumes or drains a run; only `serve`, `worker` and
 * `recover` take over what dead processes left behind. Exit codes: 0 completed, 1
 * failed, 2 bad usage or input, 3 waiting for input, 4 paused or aborted.
 */
import { Command, CommanderError } from 'commander';
import { serverSettings } from '../config/settings.ts';
import { formatReplayReport, type RunRow } from '../graph/index.ts';
import { StagegraphError } from '../nodes/index.ts';
import { evalCommand } from './eval.ts';
import { gcCommand } from './gc.ts';
import { initCommand } from './init.ts';
import { keysCommand } from './keys.ts';
import { loadProject, stagegraphOptions } from './project.ts';
import { EXIT, exitCodeOf, follow, summarize, withStagegraph } from './session.ts';
import { studioCommand } from './studio.ts';
import { workerCommand } from './worker.ts';

const READ = { recover: false } as const;
const EXECUTE = { recover: false, executes: true } as const;

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new StagegraphError('invalid_json', `${what} is not valid JSON: ${text}`, { class: 'validation' });
  }
}

const program = new Command('stagegraph')
  .description('Autonomous agent workflows on LangGraph JS')
  .option('-c, --config <file>', 'the project config (default: stagegraph.config.{ts,mts,js,mjs} in this directory or above; without one, the built-in h2-tank pack)')
  .option('--workflows <file>', "a module whose default export adds workflows to the config's packs (or set STAGEGRAPH_WORKFLOWS)")
  .showHelpAfterError()
  // Usage errors (unknown command, missing argument, bad option) exit 2, as documented; commander's own is 1.
  .exitOverride();
program.hook('preAction', (_program, action) => {
  const o = program.opts<{ workflows?: string; config?: string }>();
  // For `worker`, --workflows names the workflows it takes (a,b); for every other command, a module of workflows.
  if (o.workflows && action.name() === 'worker') process.env.STAGEGRAPH_WORKER_WORKFLOWS = o.workflows;
  else if (o.workflows) process.env.STAGEGRAPH_WORKFLOWS = o.workflows;
  if (o.config) process.env.STAGEGRAPH_CONFIG = o.config;
});

program
  .command('run')
  .description('run a workflow in-process with live progress (SIGTERM/SIGINT pause it at a step boundary)')
  .argument('<request...>', 'the request, in plain English (or JSON with --json)')
  .option('-w, --workflow <id>', "workflow id (default: the first workflow of the config's first pack; without a config, h2-tank)")
  .option('--json', 'the request is structured JSON')
  .option('--seed <n>', 'seed for deterministic stages', '1')
  .option('--out <dir>', 'where artifacts go (<dir>/<run id>/)', 'out')
  .action((words: string[], o: { workflow?: string; json?: boolean; seed: string; out: string }) =>
    withStagegraph(EXECUTE, async (sg) => {
      const text = words.join(' ');
      const request = o.json ? parseJson(text, 'request') : text;
      const run = await sg.runs.start({ workflowId: o.workflow ?? defaultWorkflow([...sg.workflows.keys()]), request, options: { seed: Number(o.seed), outRoot: o.out } });
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
    withStagegraph(READ, async (sg) => {
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
    withStagegraph(READ, async (sg) => {
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
  .description('resume a paused run and follow it')
  .argument('<id>')
  .action((id: string) =>
    withStagegraph(EXECUTE, async (sg) => {
      const row = await sg.runs.get(id);
      if (row.status === 'running') {
        throw new StagegraphError('invalid_transition', `run ${id} is running: cannot resume (allowed from paused)`, {
          class: 'validation',
          details: { runId: id, status: row.status },
          hint: 'if the process that ran it is gone, take it over with: stagegraph recover',
        });
      }
      const since = (await sg.runs.eventsSince(id)).at(-1)?.seq ?? 0;
      await sg.runs.resume(id, 'cli');
      return EXIT[(await follow(sg, id, since)).status] ?? 1;
    }),
  );

program
  .command('answer')
  .description('answer a run waiting for input and follow it')
  .argument('<id>')
  .argument('<json>', "the answer, e.g. '{\"clarifications\":{\"pressure\":\"70 MPa\"}}'")
  .action((id: string, json: string) =>
    withStagegraph(EXECUTE, async (sg) => {
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
    withStagegraph(EXECUTE, async (sg) => {
      const row = await sg.runs.abort(id, o.reason, 'cli');
      console.log(`run ${id}: ${row.status}`);
      return 0;
    }),
  );

program
  .command('recover')
  .description('take over the runs dead processes left behind (and those a shutdown paused) and follow them to their end')
  .action(() =>
    withStagegraph(EXECUTE, async (sg) => {
      const ids = await sg.runs.recover();
      if (ids.length === 0) {
        console.log('nothing to recover: no run was left behind');
        return 0;
      }
      console.log(`recovering ${ids.length} run${ids.length === 1 ? '' : 's'}: ${ids.join(', ')}`);
      // The exit code of the first run that did not complete; 0 when all did.
      let code = 0;
      for (const id of ids) {
        const status = (await follow(sg, id)).status;
        if (code === 0) code = EXIT[status] ?? 1;
      }
      return code;
    }),
  );

program
  .command('serve')
  .description('serve the REST API, the WebSocket event stream and the dashboard (drains runs on SIGTERM)')
  .option('-p, --port <n>', 'port (default: $PORT, the config\'s server.port, or 8080)')
  .option('--host <host>', "interface to listen on (default: the config's server.host, or 127.0.0.1)")
  .option('--no-auth', 'no authentication (local development only)')
  .option('--workers <n>', 'start runs through the queue and execute up to <n> of them here (0: API only, `stagegraph worker` processes execute them); without it runs execute here, unqueued')
  .action(async (o: { port?: string; host?: string; auth: boolean; workers?: string }) => {
    try {
      const project = await loadProject();
      const settings = serverSettings(project.loaded);
      const { packs, workflows, ...stagegraph } = stagegraphOptions(project);
      if (o.workers !== undefined) {
        const n = Number(o.workers);
        if (!Number.isInteger(n) || n < 0 || n > 1000) throw new StagegraphError('invalid_input', `--workers must be a whole number from 0 to 1000, got '${o.workers}'`, { class: 'validation' });
        stagegraph.queue = { concurrency: n, limits: project.loaded.config.queue?.limits, rates: project.loaded.config.queue?.rates };
      }
      const { serve } = await import('../server/index.ts');
      await serve({
        port: o.port !== undefined ? Number(o.port) : settings.port,
        host: o.host ?? settings.host,
        auth: o.auth ? settings.auth : 'none',
        packs,
        workflows,
        stagegraph,
        // An orchestrate request without `workflow` runs the project's own first workflow, as `stagegraph run` does.
        defaultWorkflow: packs?.[0]?.workflows[0]?.id ?? workflows[0]?.id,
      });
    } catch (e) {
      process.exit(exitCodeOf(e));
    }
  });

keysCommand(program);
gcCommand(program);
evalCommand(program);
initCommand(program);
studioCommand(program);
workerCommand(program);

const decisions = program.command('decisions').description('the decision ledger');

decisions
  .command('replay')
  .description('re-evaluate recorded decisions against the current rules and preferences; report what would change')
  .option('--since <date>', 'only decisions made since this date (ISO 8601)')
  .action((o: { since?: string }) =>
    withStagegraph(READ, async (sg) => {
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
    withStagegraph(READ, async (sg) => {
      console.log((await sg.decisions.explain(id)).text);
      return 0;
    }),
  );

/** Without `--workflow`: the first workflow of the config's first pack (the project's own), or the only one there is. */
function defaultWorkflow(ids: string[]): string {
  if (ids.length === 0) throw new StagegraphError('workflow_required', 'this project has no workflows', { class: 'validation' });
  return ids[0]!;
}

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (!(e instanceof CommanderError)) throw e;
  // Help and --version are not errors; every other usage error is bad usage: 2.
  process.exit(e.exitCode === 0 ? 0 : 2);
}
