/**
 * `getDeltaChannelHistory` in one query. LangGraph rebuilds a `DeltaChannel`'s value by
 * replaying the writes of the target checkpoint's ancestors back to the nearest stored
 * value (its seed); the base saver walks that chain one `getTuple` per ancestor (25
 * queries for one flagship `runs.get`, 275 for its checkpoint list). This walks it with
 * a recursive query that returns only the requested channels' writes and seeds, then
 * applies the base class's rules: per ancestor, its writes (newest first) before its
 * seed; writes in `task_id, idx` order, as `PostgresSaver` reads pending writes.
 */
import type { RunnableConfig } from '@langchain/core/runnables';
import type { BaseCheckpointSaver, CheckpointPendingWrite } from '@langchain/langgraph-checkpoint';
import type pg from 'pg';

const SQL = `WITH RECURSIVE chain AS (
    SELECT checkpoint_id, parent_checkpoint_id, checkpoint -> 'channel_versions' AS versions, 0 AS depth
      FROM checkpoints WHERE thread_id = $1 AND checkpoint_ns = $2 AND checkpoint_id = $3
    UNION ALL
    SELECT c.checkpoint_id, c.parent_checkpoint_id, c.checkpoint -> 'channel_versions', chain.depth + 1
      FROM chain JOIN checkpoints c ON c.thread_id = $1 AND c.checkpoint_ns = $2 AND c.checkpoint_id = chain.parent_checkpoint_id
  )
  SELECT chain.depth,
    (SELECT array_agg(array[bl.channel::bytea, bl.type::bytea, bl.blob]) FROM checkpoint_blobs bl
      WHERE bl.thread_id = $1 AND bl.checkpoint_ns = $2 AND bl.channel = ANY($4) AND bl.version = chain.versions ->> bl.channel AND bl.type <> 'empty') AS seeds,
    (SELECT array_agg(array[cw.task_id::bytea, cw.channel::bytea, cw.type::bytea, cw.blob] ORDER BY cw.task_id, cw.idx) FROM checkpoint_writes cw
      WHERE cw.thread_id = $1 AND cw.checkpoint_ns = $2 AND cw.checkpoint_id = chain.checkpoint_id AND cw.channel = ANY($4)) AS writes
  FROM chain WHERE depth > 0 ORDER BY depth`;

export type DeltaHistory = Record<string, { writes: CheckpointPendingWrite[]; seed?: unknown }>;

export async function deltaChannelHistory(saver: BaseCheckpointSaver, pool: pg.Pool, options: { config: RunnableConfig; channels: string[] }): Promise<DeltaHistory> {
  const { config, channels } = options;
  if (channels.length === 0) return {};
  const { thread_id, checkpoint_ns = '' } = config.configurable ?? {};
  let checkpointId = config.configurable?.checkpoint_id as string | undefined;
  checkpointId ??= (await saver.getTuple(config))?.config.configurable?.checkpoint_id;
  const dec = new TextDecoder();
  const { rows } = await pool.query(SQL, [thread_id, checkpoint_ns, checkpointId, channels]);
  const collected: Record<string, CheckpointPendingWrite[]> = Object.fromEntries(channels.map((c) => [c, []]));
  const seed: Record<string, unknown> = {};
  const remaining = new Set(channels);
  for (const row of rows) {
    if (!remaining.size) break;
    const per: Record<string, CheckpointPendingWrite[]> = {};
    for (const [tid, ch, t, v] of (row.writes ?? []) as Uint8Array[][]) {
      const c = dec.decode(ch);
      if (remaining.has(c)) (per[c] ??= []).push([dec.decode(tid), c, await saver.serde.loadsTyped(dec.decode(t), v!)]);
    }
    for (const c of Object.keys(per)) for (let i = per[c]!.length - 1; i >= 0; i--) collected[c]!.push(per[c]![i]!);
    for (const [ch, t, v] of (row.seeds ?? []) as Uint8Array[][]) {
      const c = dec.decode(ch);
      if (remaining.has(c)) {
        seed[c] = await saver.serde.loadsTyped(dec.decode(t), v!);
        remaining.delete(c);
      }
    }
  }
  const out: DeltaHistory = {};
  for (const c of channels) out[c] = { writes: collected[c]!.slice().reverse(), ...(c in seed ? { seed: seed[c] } : {}) };
  return out;
}
