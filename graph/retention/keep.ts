/**
 * Which checkpoints of a finished run survive collection, and the parent each kept
 * checkpoint links to afterwards. Pure: the database work is `gc.ts`'s.
 *
 * Kept:
 * - every checkpoint where the run's state changed other than in a stepped stage's
 *   `scratch`: each stage completion (the checkpoint that recorded it, so completion
 *   keys `<stage>@<checkpoint>` of `graph/recovery/line.ts` and the compensations logged
 *   against them stay valid), each decision, skip and input, and so the checkpoint
 *   before each stage's first step (a restore or rollback target);
 * - the parent of every checkpoint where a delta channel (`outputs`, `decisions`,
 *   `decisionLog`: `graph/state.ts`) changed: its pending writes are what a read
 *   replays to rebuild them;
 * - the first checkpoint, every leaf (the final checkpoint, and the final one of each
 *   branch a restore left behind), and the `pinned` ones (those events name).
 *
 * Dropped: the rest, i.e. the intermediate steps of stepped stages, whose only change is
 * their scratch (the last step before the output is kept, by the second rule). A kept
 * checkpoint whose parent is dropped is relinked to its nearest kept ancestor, so the
 * line from first to final checkpoint stays connected and every replay finds its writes
 * (no dropped checkpoint holds a delta channel write).
 */
import { isDeltaChannel } from '@langchain/langgraph/channels';
import { WorkflowState } from '../state.ts';

/** One checkpoint as collection sees it (root namespace only). */
export interface CheckpointMeta {
  id: string;
  parentId: string | null;
  /** `channel_versions` of the checkpoint. */
  versions: Record<string, string | number>;
}

export interface KeepPlan {
  keep: Set<string>;
  /** Ids to drop, oldest first. */
  drop: string[];
  /** Kept checkpoints whose parent changes: id -> new parent (`null`: none kept). */
  relink: Map<string, string | null>;
}

/** The state channels whose pending writes a read replays (`DeltaChannel`s). */
export const DELTA_CHANNELS: readonly string[] = Object.entries(WorkflowState.spec).filter(([, c]) => isDeltaChannel(c)).map(([name]) => name);

/** The state channels (LangGraph's own trigger channels are not state). */
const STATE_CHANNELS: readonly string[] = Object.keys(WorkflowState.spec);

/** What a stepped stage's steps change: not a reason to keep a checkpoint. */
const STEP_CHANNELS: readonly string[] = ['scratch'];

const changed = (c: CheckpointMeta, parent: CheckpointMeta, channels: readonly string[]) => channels.some((ch) => c.versions[ch] !== parent.versions[ch]);

export function keepPlan(checkpoints: CheckpointMeta[], pinned: ReadonlySet<string> = new Set()): KeepPlan {
  const state = STATE_CHANNELS.filter((ch) => !STEP_CHANNELS.includes(ch));
  const byId = new Map(checkpoints.map((c) => [c.id, c]));
  const parentOf = (c: CheckpointMeta) => (c.parentId !== null && byId.has(c.parentId) ? byId.get(c.parentId)! : undefined);
  const hasChild = new Set<string>();
  for (const c of checkpoints) if (c.parentId !== null) hasChild.add(c.parentId);

  const keep = new Set<string>();
  for (const c of checkpoints) {
    const parent = parentOf(c);
    if (!parent || !hasChild.has(c.id) || pinned.has(c.id) || changed(c, parent, state)) keep.add(c.id);
    if (parent && changed(c, parent, DELTA_CHANNELS)) keep.add(parent.id);
  }

  const relink = new Map<string, string | null>();
  for (const id of keep) {
    const c = byId.get(id)!;
    let p = parentOf(c);
    while (p && !keep.has(p.id)) p = parentOf(p);
    const to = p?.id ?? null;
    if (to !== (parentOf(c)?.id ?? null)) relink.set(id, to);
  }
  const drop = checkpoints.map((c) => c.id).filter((id) => !keep.has(id)).sort();
  return { keep, drop, relink };
}
