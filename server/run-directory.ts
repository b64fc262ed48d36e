/**
 * What the server needs to know of a run to scope and route it: its owner, workflow
 * and artifact root. These never change, so they are cached (learned from
 * `workflow.started` events or read from `sg_runs` once).
 */
import type { Stagegraph } from '../graph/runtime.ts';
import { StagegraphError } from '../nodes/errors.ts';

export interface RunInfo {
  owner: string;
  workflowId: string;
  outRoot: string;
}

const MAX_ENTRIES = 100_000;

export class RunDirectory {
  private readonly known = new Map<string, RunInfo>();
  private readonly loading = new Map<string, Promise<RunInfo | undefined>>();

  constructor(private readonly sg: Pick<Stagegraph, 'db'>) {}

  peek(runId: string): RunInfo | undefined {
    return this.known.get(runId);
  }

  remember(runId: string, info: RunInfo): void {
    if (this.known.size >= MAX_ENTRIES) this.known.delete(this.known.keys().next().value!);
    this.known.set(runId, info);
  }

  async lookup(runId: string): Promise<RunInfo | undefined> {
    const hit = this.known.get(runId);
    if (hit) return hit;
    let p = this.loading.get(runId);
    if (!p) {
      p = this.sg.db.pool
        .query<{ owner: string; workflow_id: string; out_root: string | null }>(
          "SELECT owner, workflow_id, options->>'outRoot' AS out_root FROM sg_runs WHERE id = $1",
          [runId],
        )
        .then(({ rows }) => {
          const r = rows[0];
          if (!r) return undefined;
          const info = { owner: r.owner, workflowId: r.workflow_id, outRoot: r.out_root ?? 'out' };
          this.remember(runId, info);
          return info;
        })
        .finally(() => this.loading.delete(runId));
      this.loading.set(runId, p);
    }
    return p;
  }

  /**
   * The run, if `owner` owns it. Another owner's run is indistinguishable from a missing one.
   * @throws StagegraphError `run_not_found`
   */
  async require(runId: string, owner: string): Promise<RunInfo> {
    const info = await this.lookup(runId);
    if (!info || info.owner !== owner) {
      throw new StagegraphError('run_not_found', `run ${runId} not found`, { class: 'validation', details: { runId } });
    }
    return info;
  }
}
