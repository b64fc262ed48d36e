/**
 * Random SIGKILLs across whole flagship runs, through the two ways a user runs them:
 * `stagegraph serve` (run started over REST, the server killed, restarted, and the run
 * recovered at start or by the periodic sweep) and the CLI (`stagegraph run` killed,
 * then `stagegraph recover`, itself killed now and then). Kill instants are drawn
 * uniformly over the whole run, from just after its start to just before its end, on
 * the clock of the process's own CPU time: an uncrashed reference run of the same path
 * gives the run's length, and a loaded machine, which stretches wall time, does not
 * crowd the kills into the run's first stages. Every run must complete and log exactly the outcome events (stage completions,
 * steps, skips and decisions) of the uncrashed reference with the same seed: a stage
 * that already completed never runs again and no outcome is lost. Seqs are gap-free,
 * the one terminal event is last, no decision is recorded twice.
 *
 * Each path has its own fresh database, so a restarted process recovers only the runs
 * of its own path. `CRASH_SEED` replays a sequence of kill instants.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStagegraph, type Stagegraph } from '../graph/runtime.ts';
import { TERMINAL_STATUSES, type RunStatus } from '../graph/runs/status.ts';
import { builtinWorkflows } from '../plugins/index.ts';
// A seeded PRNG (mulberry32): the same `CRASH_SEED` draws the same kill instants.
import { prng } from './fixtures/recovery.ts';
import { testDatabase, type TestDatabase } from './support/db.ts';
import { cpuTimeMs, cpuTimeReached, killChild, spawnStagegraph, type StagegraphChild } from './support/kill-child.ts';
import { minus, outcomes } from './support/outcomes.ts';
import { TERMINAL_EVENTS, until } from './support/runs.ts';

/** The request of `npm run demo`. */
const DEMO = 'I need a 70 MPa hydrogen tank for automotive use, 5 kg capacity';
const SEED = 1;
/** Runs killed at least once, per path. */
const KILLED_RUNS = 25;
/** A run whose kill instant came after it completed is not counted; this bounds the retries. */
const MAX_ATTEMPTS = 35;
/** Chance that a recovering process is killed too (at most twice per run). */
const RECOVERY_KILL_P = 0.3;
/** A run recovered by the periodic sweep (10 s) instead of at start still finishes well within this. */
const FINISH_MS = 90_000;

type Path = 'serve' | 'cli';

interface Lane {
  path: Path;
  t: TestDatabase;
  /** Reads the lane's runs and events through the runs API; never executes anything. */
  reader: Stagegraph;
  dir: string;
  /** The live `serve` process of the serve path. */
  serve?: { child: StagegraphChild; url: string };
  /** Runs started so far. */
  runs: Set<string>;
  children: StagegraphChild[];
}

interface Reference {
  outcomes: string[];
  /** Wall time from `workflow.started` to `workflow.completed`. */
  durationMs: number;
  /** CPU time the process used from the run's start to its end. */
  cpuMs: number;
  events: number;
}

interface Kill {
  /** The planned instant: a fraction of the reference run's CPU time (first kill), or CPU ms after recovery began (later kills). */
  at: number;
  recovery: boolean;
  /** Events logged when the process died. */
  logged: number;
}

interface RunReport {
  path: Path;
  runId: string;
  kills: Kill[];
  /** The run had completed before its first planned kill instant: it counts as uncrashed. */
  doneBeforeKill: boolean;
  status: string;
  extra: string[];
  missing: string[];
  seqsGapFree: boolean;
  terminalOk: boolean;
  duplicateDecisions: string[];
  notes: string[];
}

async function status(lane: Lane, runId: string): Promise<string | undefined> {
  const { rows } = await lane.t.db.pool.query<{ status: string }>('SELECT status FROM sg_runs WHERE id = $1', [runId]);
  return rows[0]?.status;
}

/** Whether a run row's status is terminal. */
const ended = (s: string | undefined): s is RunStatus => s !== undefined && TERMINAL_STATUSES.has(s as RunStatus);

/**
 * Waits until the run row has a terminal status, then (at most `settleMs` more) until its
 * terminal event is logged: the row changes before the event is written.
 */
async function waitTerminal(lane: Lane, runId: string, timeoutMs = FINISH_MS, settleMs = 5_000): Promise<string> {
  const end = await until(async () => {
    const s = await status(lane, runId);
    return ended(s) ? s : undefined;
  }, timeoutMs, `run ${runId} to end`);
  await until(async () => ((await lane.reader.runs.eventsSince(runId)).some((e) => TERMINAL_EVENTS.has(e.type)) ? true : undefined), settleMs, 'the terminal event')
    .catch(() => undefined);
  return end;
}

async function eventCount(lane: Lane, runId: string): Promise<number> {
  return (await lane.reader.runs.eventsSince(runId)).length;
}

/** Waits until the run logs a `workflow.resumed` after seq `after` (recovery began); false if it ended first. */
async function recoveryBegan(lane: Lane, runId: string, after: number): Promise<boolean> {
  return until(async () => {
    const events = await lane.reader.runs.eventsSince(runId, after);
    if (events.some((e) => e.type === 'workflow.resumed')) return true;
    const s = await status(lane, runId);
    return ended(s) ? false : undefined;
  }, 30_000, `run ${runId} to resume`);
}

function spawnIn(lane: Lane, args: string[]): StagegraphChild {
  const child = spawnStagegraph(args, { env: lane.t.childEnv, cwd: lane.dir, tag: `sg-crash-${lane.path}` });
  lane.children.push(child);
  return child;
}

async function startServe(lane: Lane): Promise<{ child: StagegraphChild; url: string }> {
  const child = spawnIn(lane, ['serve', '--port', '0', '--no-auth']);
  const [, url] = await child.line(/stagegraph listening on (http:\/\/\S+)/);
  return { child, url: url! };
}

async function orchestrate(url: string): Promise<string> {
  const res = await fetch(`${url}/api/agent/orchestrate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ workflow: 'h2-tank', request: DEMO, options: { seed: SEED } }),
  });
  const body = (await res.json()) as { sessionId?: string };
  if (res.status !== 202 || !body.sessionId) throw new Error(`orchestrate answered ${res.status}: ${JSON.stringify(body)}`);
  return body.sessionId;
}

const RUN_STARTED = /run ([0-9a-f-]{36}) started/;

/**
 * Starts `stagegraph run` on the demo request; resolves with the child and the run's id,
 * from its first line or, should the CLI not print that line, from the lane's database
 * (the only new run there).
 */
async function cliRun(lane: Lane): Promise<{ child: StagegraphChild; runId: string }> {
  const child = spawnIn(lane, ['run', '--seed', String(SEED), '--out', join(lane.dir, 'out'), DEMO]);
  const fromDb = until(async () => {
    const { rows } = await lane.t.db.pool.query<{ id: string }>('SELECT id FROM sg_runs');
    return rows.map((r) => r.id).find((id) => !lane.runs.has(id));
  }, 60_000, 'the CLI to create its run');
  fromDb.catch(() => undefined);
  const runId = await Promise.race([child.line(RUN_STARTED).then((m) => m[1]!, () => fromDb), fromDb]);
  lane.runs.add(runId);
  return { child, runId };
}

/** One uncrashed run through the lane's path, with the CPU time its process spent on it. */
async function referenceRun(lane: Lane): Promise<Reference> {
  let runId: string;
  let child: StagegraphChild;
  if (lane.path === 'serve') {
    lane.serve ??= await startServe(lane);
    child = lane.serve.child;
    runId = await orchestrate(lane.serve.url);
  } else {
    ({ child, runId } = await cliRun(lane));
  }
  const cpu0 = cpuTimeMs(child)!;
  let cpu = cpu0;
  const end = await until(async () => {
    cpu = cpuTimeMs(child) ?? cpu;
    const s = await status(lane, runId);
    return ended(s) ? s : undefined;
  }, FINISH_MS, `reference run ${runId} to end`);
  expect(end).toBe('completed');
  if (lane.path === 'cli') expect(await child.exited).toEqual({ code: 0, signal: null });
  expect(await waitTerminal(lane, runId)).toBe('completed');
  const events = await lane.reader.runs.eventsSince(runId);
  const started = events.find((e) => e.type === 'workflow.started')!;
  const completed = events.find((e) => e.type === 'workflow.completed')!;
  expect(completed?.seq).toBe(events.length);
  expect(cpu - cpu0).toBeGreaterThan(0);
  return { outcomes: outcomes(events), durationMs: Date.parse(completed.at) - Date.parse(started.at), cpuMs: cpu - cpu0, events: events.length };
}

/** Kills `child` and records how far the run's log had got. */
async function kill(lane: Lane, child: StagegraphChild, runId: string, at: number, recovery: boolean, kills: Kill[]): Promise<void> {
  // killChild waits until Postgres has no session of the child left, so its lease is free.
  // A child killed before it connected holds no lease: there is nothing to wait for.
  await killChild(child, lane.t.db.pool);
  kills.push({ at, recovery, logged: await eventCount(lane, runId) });
}

/** One run through `serve`: started over REST, the server killed at `fraction` of the run, restarted until the run ends. */
async function crashServe(lane: Lane, rng: () => number, ref: Reference): Promise<RunReport> {
  const kills: Kill[] = [];
  const notes: string[] = [];
  lane.serve ??= await startServe(lane);
  const runId = await orchestrate(lane.serve.url);
  const cpu0 = cpuTimeMs(lane.serve.child)!;
  const fraction = 0.01 + 0.98 * rng();
  await cpuTimeReached(lane.serve.child, cpu0, fraction * ref.cpuMs);
  const doneBeforeKill = ended(await status(lane, runId));
  await kill(lane, lane.serve.child, runId, fraction, false, kills);
  lane.serve = undefined;
  for (let extra = 0; ; extra++) {
    const serving = await startServe(lane);
    const running = (await status(lane, runId)) === 'running';
    if (!doneBeforeKill && running && extra < 2 && rng() < RECOVERY_KILL_P && (await recoveryBegan(lane, runId, kills.at(-1)!.logged))) {
      const after = rng() * (1 - fraction) * ref.cpuMs;
      await cpuTimeReached(serving.child, cpuTimeMs(serving.child) ?? 0, after);
      await kill(lane, serving.child, runId, Math.round(after), true, kills);
      continue;
    }
    lane.serve = serving;
    break;
  }
  return report(lane, runId, kills, doneBeforeKill, ref, notes, await waitTerminal(lane, runId).catch((e: Error) => `stuck (${e.message})`));
}

/** One run through the CLI: `stagegraph run` killed at `fraction` of the run, then `stagegraph recover` until the run ends. */
async function crashCli(lane: Lane, rng: () => number, ref: Reference): Promise<RunReport> {
  const kills: Kill[] = [];
  const notes: string[] = [];
  const { child, runId } = await cliRun(lane);
  const cpu0 = cpuTimeMs(child) ?? 0;
  const fraction = 0.01 + 0.98 * rng();
  await cpuTimeReached(child, cpu0, fraction * ref.cpuMs);
  const doneBeforeKill = !child.alive() || ended(await status(lane, runId));
  await kill(lane, child, runId, fraction, false, kills);
  for (let attempt = 0; attempt < 4; attempt++) {
    if (ended(await status(lane, runId))) break;
    const recovering = spawnIn(lane, ['recover']);
    if (kills.length < 3 && rng() < RECOVERY_KILL_P && (await recoveryBegan(lane, runId, kills.at(-1)!.logged))) {
      const after = rng() * (1 - fraction) * ref.cpuMs;
      await cpuTimeReached(recovering, cpuTimeMs(recovering) ?? 0, after);
      if (recovering.alive()) {
        await kill(lane, recovering, runId, Math.round(after), true, kills);
        continue;
      }
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const exit = await Promise.race([recovering.exited, new Promise<undefined>((r) => {
      timer = setTimeout(() => r(undefined), FINISH_MS);
    })]);
    clearTimeout(timer);
    if (!exit) {
      notes.push(`recover did not exit within ${FINISH_MS} ms`);
      await killChild(recovering, lane.t.db.pool);
    } else if (exit.code !== 0) {
      const why = `${recovering.stdout()}\n${recovering.stderr()}`.split('\n').filter((l) => /failed|error/i.test(l)).slice(0, 2);
      notes.push(`recover exited ${exit.code ?? exit.signal}: ${why.join(' | ')}`);
    }
  }
  const end = await waitTerminal(lane, runId, 1_000).catch(async () => (await status(lane, runId)) ?? 'missing');
  return report(lane, runId, kills, doneBeforeKill, ref, notes, end);
}

async function report(lane: Lane, runId: string, kills: Kill[], doneBeforeKill: boolean, ref: Reference, notes: string[], end: string): Promise<RunReport> {
  const events = await lane.reader.runs.eventsSince(runId);
  const got = outcomes(events);
  const terminal = events.filter((e) => TERMINAL_EVENTS.has(e.type));
  const { rows: dup } = await lane.t.db.pool.query<{ point: string; iteration: number; n: number }>(
    'SELECT point, iteration, count(*)::int AS n FROM sg_decisions WHERE run_id = $1 GROUP BY point, iteration HAVING count(*) > 1 ORDER BY point, iteration',
    [runId],
  );
  return {
    path: lane.path, runId, kills, doneBeforeKill, status: end,
    extra: minus(got, ref.outcomes),
    missing: minus(ref.outcomes, got),
    seqsGapFree: events.every((e, i) => e.seq === i + 1),
    terminalOk: terminal.length === 1 && events.at(-1) === terminal[0],
    duplicateDecisions: dup.map((d) => `${d.point}#${d.iteration} x${d.n}`),
    notes,
  };
}

/** What is wrong with a run, one line each (empty when it is right). */
function problems(r: RunReport): string[] {
  const p: string[] = [];
  if (r.status !== 'completed') p.push(`ended ${r.status}`);
  if (r.extra.length) p.push(`ran again: ${r.extra.join(', ')}`);
  if (r.missing.length) p.push(`missing: ${r.missing.join(', ')}`);
  if (!r.seqsGapFree) p.push('seqs are not 1..n');
  if (!r.terminalOk) p.push('not exactly one terminal event, last');
  if (r.duplicateDecisions.length) p.push(`decisions recorded twice: ${r.duplicateDecisions.join(', ')}`);
  p.push(...r.notes);
  return p.map((x) => `${r.path} ${r.runId} (kills at ${r.kills.map((k) => (k.recovery ? `recovery+${k.at}ms` : k.at.toFixed(2))).join(', ')}): ${x}`);
}

describe('random SIGKILLs across whole flagship runs (serve and CLI)', () => {
  const lanes: Lane[] = [];
  const refs = new Map<Path, Reference>();
  const seed = Number(process.env.CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));

  beforeAll(async () => {
    for (const path of ['serve', 'cli'] as const) {
      const t = await testDatabase({ max: 4 });
      const reader = await createStagegraph({ workflows: builtinWorkflows(), database: t.db, recover: false });
      lanes.push({ path, t, reader, dir: await mkdtemp(join(tmpdir(), `sg-crash-${path}-`)), children: [], runs: new Set() });
    }
  });

  afterAll(async () => {
    for (const lane of lanes) {
      for (const c of lane.children) if (c.alive()) c.proc.kill('SIGKILL');
      await Promise.all(lane.children.map((c) => c.exited));
      await lane.reader.close();
      await lane.t.drop();
      await rm(lane.dir, { recursive: true, force: true });
    }
  });

  it('the flagship is deterministic for a seed: two uncrashed runs per path log the same outcome events', async () => {
    const runs = await Promise.all(lanes.map(async (lane) => [await referenceRun(lane), await referenceRun(lane)] as const));
    const [first] = runs[0]!;
    expect(first.outcomes.length).toBeGreaterThan(20);
    for (const pair of runs) for (const r of pair) expect(r.outcomes).toEqual(first.outcomes);
    lanes.forEach((lane, i) => {
      const [a, b] = runs[i]!;
      refs.set(lane.path, { outcomes: a.outcomes, durationMs: (a.durationMs + b.durationMs) / 2, cpuMs: (a.cpuMs + b.cpuMs) / 2, events: Math.max(a.events, b.events) });
    });
  }, 180_000);

  it(`${2 * KILLED_RUNS} runs killed at random instants complete with exactly the outcome events of an uncrashed run`, async () => {
    const began = performance.now();
    const reports: RunReport[] = [];
    await Promise.all(lanes.map(async (lane, i) => {
      const ref = refs.get(lane.path);
      if (!ref) throw new Error('no reference run (the determinism test failed)');
      const rng = prng(seed + i);
      for (let attempt = 0, killed = 0; killed < KILLED_RUNS && attempt < MAX_ATTEMPTS; attempt++) {
        const r = lane.path === 'serve' ? await crashServe(lane, rng, ref) : await crashCli(lane, rng, ref);
        reports.push(r);
        if (!r.doneBeforeKill) killed++;
      }
    }));
    const wallS = (performance.now() - began) / 1000;

    const crashed = reports.filter((r) => !r.doneBeforeKill);
    const logged = (r: RunReport) => Math.round((100 * r.kills[0]!.logged) / refs.get(r.path)!.events);
    const at = crashed.map((r) => [r.kills[0]!.at, logged(r)] as const).sort((x, y) => x[0] - y[0]);
    const ref = (p: Path) => `${p} ${Math.round(refs.get(p)!.durationMs)} ms wall, ${Math.round(refs.get(p)!.cpuMs)} ms CPU`;
    const replayed = reports.filter((r) => r.extra.length > 0);
    const lost = reports.filter((r) => r.missing.length > 0);
    const summary = [
      `crash-random (CRASH_SEED=${seed}): ${crashed.length} runs killed mid-run (serve ${crashed.filter((r) => r.path === 'serve').length}, cli ${crashed.filter((r) => r.path === 'cli').length}),`,
      `${reports.reduce((n, r) => n + r.kills.length, 0)} kills in all (${reports.reduce((n, r) => n + r.kills.filter((k) => k.recovery).length, 0)} during recovery), ${reports.length - crashed.length} runs done before their kill instant;`,
      `first kills (fraction of the reference run's CPU time: share of its events logged by then) ${at.map(([f, l]) => `${f.toFixed(2)}:${l}%`).join(' ')}`,
      `(reference runs: ${ref('serve')}; ${ref('cli')});`,
      `completed ${reports.filter((r) => r.status === 'completed').length}/${reports.length};`,
      `runs with replayed outcomes ${replayed.length} (${replayed.reduce((n, r) => n + r.extra.length, 0)} outcome events again, ${replayed.reduce((n, r) => n + r.extra.filter((k) => k.startsWith('completed ')).length, 0)} of them stage completions);`,
      `runs missing outcomes ${lost.length} (${lost.reduce((n, r) => n + r.missing.length, 0)} events);`,
      `seq gaps ${reports.filter((r) => !r.seqsGapFree).length}; bad terminal ${reports.filter((r) => !r.terminalOk).length};`,
      `duplicate decisions ${reports.filter((r) => r.duplicateDecisions.length).length}; wall ${wallS.toFixed(0)} s`,
    ].join(' ');
    console.log(summary);
    const found = reports.flatMap(problems);
    if (found.length) console.log(found.join('\n'));

    expect(crashed.length).toBe(2 * KILLED_RUNS);
    expect(found).toEqual([]);
  }, 900_000);
});
