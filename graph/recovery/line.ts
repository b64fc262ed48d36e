/**
 * A run's line: the chain of checkpoints from the first to its head (or to any
 * checkpoint), following parent links through restores and rollbacks, and the stage
 * completions recorded along it. A completion is keyed by the checkpoint that
 * recorded it (`<stage>@<checkpoint id>`), so it stays the same completion on every
 * branch that shares that checkpoint, and a stage run again after a rollback is a
 * new completion. Compensation is done once per key.
 */
import type { CompiledWorkflow } from '../compile.ts';
import type { WorkflowStateValue } from '../state.ts';

export interface LineLink {
  checkpointId: string;
  parentId?: string;
  /** Nodes that run after this checkpoint. */
  next: string[];
  completed: string[];
  outputs: Record<string, unknown>;
}

export interface Completion {
  stage: string;
  /** `<stage>@<checkpoint id>` of the checkpoint that recorded it. */
  key: string;
  checkpointId: string;
  /** Position in the run's `completed` list. */
  index: number;
  output: unknown;
}

interface Snapshot {
  values: unknown;
  next: string[];
  config: { configurable?: { checkpoint_id?: string } };
  parentConfig?: { configurable?: { checkpoint_id?: string } };
}

/** The checkpoints from the first to `headId` (default: the latest), oldest first. */
export async function lineOf(graph: CompiledWorkflow, runId: string, headId?: string): Promise<LineLink[]> {
  const byId = new Map<string, LineLink>();
  let latest: string | undefined;
  for await (const snap of graph.getStateHistory({ configurable: { thread_id: runId } }) as AsyncIterable<Snapshot>) {
    const id = snap.config.configurable?.checkpoint_id;
    if (!id) continue;
    latest ??= id; // newest first
    const v = (snap.values ?? {}) as Partial<WorkflowStateValue>;
    byId.set(id, { checkpointId: id, parentId: snap.parentConfig?.configurable?.checkpoint_id, next: snap.next ?? [], completed: v.completed ?? [], outputs: v.outputs ?? {} });
  }
  const line: LineLink[] = [];
  for (let id = headId ?? latest; id !== undefined; id = byId.get(id)?.parentId) {
    const link = byId.get(id);
    if (!link) break;
    line.push(link);
  }
  return line.reverse();
}

/** Every stage completion recorded along `line`, in completion order. */
export function completionsOf(line: LineLink[]): Completion[] {
  const head = line[line.length - 1];
  if (!head) return [];
  const out: Completion[] = [];
  let at = 0;
  head.completed.forEach((stage, index) => {
    while (at < line.length && line[at]!.completed.length <= index) at++;
    const link = line[Math.min(at, line.length - 1)]!;
    out.push({ stage, key: `${stage}@${link.checkpointId}`, checkpointId: link.checkpointId, index, output: link.outputs[stage] });
  });
  return out;
}

/**
 * The checkpoint before the latest run of `stage` on the line: walking back, the
 * oldest of the contiguous checkpoints about to run it (a stepped stage has one per
 * step, so this is before its first step).
 */
export function before(line: LineLink[], stage: string): LineLink | undefined {
  let i = line.length - 1;
  while (i >= 0 && !line[i]!.next.includes(stage)) i--;
  if (i < 0) return undefined;
  while (i > 0 && line[i - 1]!.next.includes(stage)) i--;
  return line[i];
}
