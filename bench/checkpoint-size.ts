/**
 * What a flagship run stores in the checkpointer's tables, and what `gc()` leaves.
 *
 * Runs the h2-tank demo request ("I need a 70 MPa hydrogen tank for automotive use, 5 kg
 * capacity", seed 1, no LLM) BENCH_RUNS times (3) on a fresh database and reports, per
 * run (medians; the runs are deterministic, so the range is only the ids' and
 * timestamps' bytes):
 *
 * - bytes in `checkpoint_blobs`, `checkpoints` and `checkpoint_writes`, by channel;
 * - the same run laid out as before `graph/state.ts` made `outputs`, `decisions` and
 *   `decisionLog` delta channels: each checkpoint where one of them changed would store
 *   its whole value again. That value is read back from the run's own history
 *   (`getStateHistory`) and serialized with the checkpointer's serde, so both layouts are
 *   of one and the same run;
 * - bytes stored per step (the checkpoint row, the blobs of the channels it changed, and
 *   the pending writes its tasks made), median and max, in both layouts;
 * - `gc()` with the default policy, 8 days later: what it drops and what is left; and
 *   the read paths (`runs.get`, `runs.checkpoints`, `runs.partialPackage`) before and
 *   after, in ms and SQL queries, with their results checked equal.
 *
 * Usage: `npm run bench:checkpoint-size` (env: DATABASE_URL names the server, where a
 * fresh database is created and dropped; without it the embedded PostgreSQL; BENCH_RUNS=3).
 */
import { randomBytes } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { gc } from '../graph/retention/index.ts';
import { DELTA_CHANNELS } from '../graph/retention/keep.ts';
import { createStagegraph } from '../graph/runtime.ts';
import type { WorkflowStateValue } from '../graph/state.ts';
import { openDatabase, type Database } from '../graph/store/database.ts';
import { builtinWorkflows } from '../plugins/index.ts';
import { openBenchDatabase } from './database.ts';
import { median, ms, table } from './stats.ts';

const REQUEST = 'I need a 70 MPa hydrogen tank for automotive use, 5 kg capacity';
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const DELTA = DELTA_CHANNELS;

/** Every query any pg client sends in this process. */
let queries = 0;
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  queries++;
  return (query as (...a: unknown[]) => unknown).apply(this, args);
} as typeof query;

async function freshDatabase(): Promise<Database> {
  const server = process.env.DATABASE_URL;
  if (!server) return openBenchDatabase();
  const name = `sg_bench_ckpt_${randomBytes(5).toString('hex')}`;
  const admin = async (sql: string) => {
    const u = new URL(server);
    u.pathname = '/postgres';
    const c = new pg.Client({ connectionString: u.toString() });
    await c.connect();
    await c.query(sql).finally(() => c.end());
  };
  await admin(`CREATE DATABASE ${name}`);
  const u = new URL(server);
  u.pathname = `/${name}`;
  const db = await openDatabase({ url: u.toString() });
  return { ...db, close: async () => { await db.close(); await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`); } };
}

const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;

interface Stored {
  blobs: number;
  checkpoints: number;
  writes: number;
  rows: { blobs: number; checkpoints: number; writes: number };
}

async function stored(db: Database, runId: string): Promise<Stored> {
  const { rows: [r] } = await db.pool.query(
    `SELECT (SELECT coalesce(sum(octet_length(blob)), 0) FROM checkpoint_blobs WHERE thread_id = $1) AS blobs,
            (SELECT count(*) FROM checkpoint_blobs WHERE thread_id = $1) AS blob_rows,
            (SELECT coalesce(sum(octet_length(checkpoint::text) + octet_length(metadata::text)), 0) FROM checkpoints WHERE thread_id = $1) AS checkpoints,
            (SELECT count(*) FROM checkpoints WHERE thread_id = $1) AS checkpoint_rows,
            (SELECT coalesce(sum(octet_length(blob)), 0) FROM checkpoint_writes WHERE thread_id = $1) AS writes,
            (SELECT count(*) FROM checkpoint_writes WHERE thread_id = $1) AS write_rows`,
    [runId],
  );
  return {
    blobs: Number(r.blobs), checkpoints: Number(r.checkpoints), writes: Number(r.writes),
    rows: { blobs: Number(r.blob_rows), checkpoints: Number(r.checkpoint_rows), writes: Number(r.write_rows) },
  };
}

const db = await freshDatabase();
const outRoot = await mkdtemp(join(tmpdir(), 'stagegraph-bench-ckpt-'));
const sg = await createStagegraph({ workflows: builtinWorkflows(), database: db, recover: false });
const graph = sg.workflows.get('h2-tank')!.graph;

/** Stored bytes of one run, per step, in the delta layout (as stored) and the full-value layout (recomputed). */
async function layouts(runId: string) {
  const { rows: checkpoints } = await db.pool.query<{ id: string; parent: string | null; versions: Record<string, string>; size: number }>(
    `SELECT checkpoint_id AS id, parent_checkpoint_id AS parent, checkpoint->'channel_versions' AS versions,
            octet_length(checkpoint::text) + octet_length(metadata::text) AS size
       FROM checkpoints WHERE thread_id = $1 ORDER BY checkpoint_id`,
    [runId],
  );
  const { rows: blobs } = await db.pool.query<{ channel: string; version: string; size: number | null }>(
    'SELECT channel, version, octet_length(blob) AS size FROM checkpoint_blobs WHERE thread_id = $1', [runId]);
  const { rows: writes } = await db.pool.query<{ checkpoint_id: string; channel: string; size: number }>(
    'SELECT checkpoint_id, channel, octet_length(blob) AS size FROM checkpoint_writes WHERE thread_id = $1', [runId]);
  const blobSize = new Map(blobs.map((b) => [`${b.channel}\u0000${b.version}`, b.size ?? 0]));
  const values = new Map<string, WorkflowStateValue>();
  for await (const snap of graph.getStateHistory({ configurable: { thread_id: runId } })) values.set(snap.config.configurable.checkpoint_id, snap.values);
  const byId = new Map(checkpoints.map((c) => [c.id, c]));
  const perStep = { delta: [] as number[], full: [] as number[] };
  const byChannel = new Map<string, { delta: number; full: number }>();
  for (const c of checkpoints) {
    const parent = c.parent ? byId.get(c.parent) : undefined;
    const taskWrites = parent ? writes.filter((w) => w.checkpoint_id === parent.id).reduce((n, w) => n + w.size, 0) : 0;
    let delta = c.size + taskWrites;
    let full = c.size + taskWrites;
    for (const [channel, version] of Object.entries(c.versions)) {
      if (parent && parent.versions[channel] === version) continue;
      const asStored = blobSize.get(`${channel}\u0000${version}`) ?? 0;
      let whole = asStored;
      if (DELTA.includes(channel)) {
        const [, bytes] = await sg.saver.serde.dumpsTyped((values.get(c.id) as unknown as Record<string, unknown>)[channel]);
        whole = bytes.length;
      }
      delta += asStored;
      full += whole;
      const t = byChannel.get(channel) ?? { delta: 0, full: 0 };
      byChannel.set(channel, { delta: t.delta + asStored, full: t.full + whole });
    }
    perStep.delta.push(delta);
    perStep.full.push(full);
  }
  const blobsFull = [...byChannel.values()].reduce((n, t) => n + t.full, 0);
  return { perStep, byChannel, blobsFull };
}

async function reads(runId: string) {
  const out: Record<string, { ms: number; queries: number }> = {};
  const calls = {
    get: () => sg.runs.get(runId),
    checkpoints: () => sg.runs.checkpoints(runId),
    partialPackage: () => sg.runs.partialPackage(runId),
  };
  for (const [name, call] of Object.entries(calls)) {
    const times: number[] = [];
    let n = 0;
    for (let i = 0; i < 3; i++) {
      queries = 0;
      const t0 = performance.now();
      await call();
      times.push(performance.now() - t0);
      n = queries;
    }
    out[name] = { ms: median(times), queries: n };
  }
  return out;
}

/** What the read paths return, minus what differs between calls (timestamps, file paths). */
async function readResults(runId: string) {
  const { generatedAt: _g, path: _p, ...partial } = await sg.runs.partialPackage(runId);
  const view = await sg.runs.get(runId);
  return { view, partial, checkpoints: (await sg.runs.checkpoints(runId)).map((c) => c.checkpointId) };
}

try {
  const results: { before: Stored; lay: Awaited<ReturnType<typeof layouts>>; after: Stored; readsBefore: Awaited<ReturnType<typeof reads>>; readsAfter: Awaited<ReturnType<typeof reads>>; same: boolean; dropped: number }[] = [];
  for (let i = 0; i < RUNS; i++) {
    const row = await sg.runs.start({ workflowId: 'h2-tank', request: REQUEST, options: { outRoot, seed: 1 } });
    const done = await sg.runs.wait(row.id);
    if (done.status !== 'completed') throw new Error(`run ${row.id} ended ${done.status}`);
    const before = await stored(db, row.id);
    const lay = await layouts(row.id);
    const readsBefore = await reads(row.id);
    const seen = await readResults(row.id);
    const finished = Date.parse((await sg.runs.get(row.id)).finishedAt!);
    const report = await gc(db, builtinWorkflows(), { now: new Date(finished + 8 * 86_400_000) });
    const after = await stored(db, row.id);
    const readsAfter = await reads(row.id);
    const now = await readResults(row.id);
    const same = isDeepStrictEqual(seen.view, now.view) && isDeepStrictEqual(seen.partial, now.partial) && now.checkpoints.every((id) => seen.checkpoints.includes(id));
    results.push({ before, lay, after, readsBefore, readsAfter, same, dropped: report.dropped.bytes });
  }

  const med = (f: (r: (typeof results)[number]) => number) => median(results.map(f));
  const total = (s: Stored) => s.blobs + s.checkpoints + s.writes;
  const fullTotal = (r: (typeof results)[number]) => r.lay.blobsFull + r.before.checkpoints + r.before.writes;
  console.log(`checkpoint size, flagship h2-tank: "${REQUEST}"`);
  console.log(`database: ${process.env.DATABASE_URL ? 'DATABASE_URL (fresh database)' : 'embedded'}; ${RUNS} runs; medians per run\n`);
  console.log(table([
    ['Stored per run', 'full values (before)', 'delta channels (stored)', 'after gc (8 days later)'],
    ['checkpoint_blobs', kB(med((r) => r.lay.blobsFull)), kB(med((r) => r.before.blobs)), kB(med((r) => r.after.blobs))],
    ['checkpoints', kB(med((r) => r.before.checkpoints)), kB(med((r) => r.before.checkpoints)), kB(med((r) => r.after.checkpoints))],
    ['checkpoint_writes', kB(med((r) => r.before.writes)), kB(med((r) => r.before.writes)), kB(med((r) => r.after.writes))],
    ['total', kB(med(fullTotal)), kB(med((r) => total(r.before))), kB(med((r) => total(r.after)))],
    ['rows (checkpoints / blobs / writes)', '-', `${med((r) => r.before.rows.checkpoints)} / ${med((r) => r.before.rows.blobs)} / ${med((r) => r.before.rows.writes)}`, `${med((r) => r.after.rows.checkpoints)} / ${med((r) => r.after.rows.blobs)} / ${med((r) => r.after.rows.writes)}`],
    ['stored per step: median / max', `${kB(med((r) => median(r.lay.perStep.full)))} / ${kB(med((r) => Math.max(...r.lay.perStep.full)))}`, `${kB(med((r) => median(r.lay.perStep.delta)))} / ${kB(med((r) => Math.max(...r.lay.perStep.delta)))}`, '-'],
  ]));
  const channels = [...results[0]!.lay.byChannel].sort((a, b) => b[1].full - a[1].full).slice(0, 6);
  console.log('\nblob bytes by channel (first run): full values -> delta channels');
  console.log(table([['channel', 'full values', 'delta'], ...channels.map(([c, t]) => [c, kB(t.full), kB(t.delta)])]));
  console.log('\nreads of the run (median of 3, ms / SQL queries), before and after gc');
  console.log(table([
    ['read', 'before gc', 'after gc'],
    ...Object.keys(results[0]!.readsBefore).map((k) => [
      k, `${ms(med((r) => r.readsBefore[k]!.ms))} ms / ${med((r) => r.readsBefore[k]!.queries)}`, `${ms(med((r) => r.readsAfter[k]!.ms))} ms / ${med((r) => r.readsAfter[k]!.queries)}`,
    ]),
  ]));
  const same = results.every((r) => r.same);
  console.log(`\nafter gc, runs.get and partialPackage return the same, runs.checkpoints a subset: ${same ? 'yes' : 'NO'}`);
  if (!same) process.exitCode = 1;
} finally {
  await sg.close();
  await db.close();
  await rm(outRoot, { recursive: true, force: true });
}
