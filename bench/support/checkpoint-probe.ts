/**
 * "Checkpoint durable - stage end": for each stage, the time from its body returning to
 * the moment the checkpoint holding its output is committed.
 *
 * - Stage end: the stage body calls `stageEnded()` right before it returns; LangGraph's
 *   `getConfig()` gives the thread and the superstep (`metadata.langgraph_step`) it runs in.
 * - Durable: the checkpointer's `put` is wrapped; a put is durable when its promise
 *   resolves (the stock `PostgresSaver` resolves after COMMIT). The checkpoint holding
 *   a stage's output is the first root-namespace checkpoint of its thread with
 *   `metadata.step` >= the stage's superstep, so a checkpointer that writes one
 *   checkpoint per superstep and one that coalesces are both measured correctly.
 *
 * It also counts puts (checkpoints written) per scope of a `SqlCounter`.
 */
import { getConfig, type BaseCheckpointSaver } from '@langchain/langgraph';
import type { SqlCounter } from './sql-counter.ts';

interface StageEnd {
  scope: string | undefined;
  thread: string;
  step: number;
  at: number;
}

interface Durable {
  step: number;
  at: number;
}

export class CheckpointProbe {
  private readonly ends: StageEnd[] = [];
  private readonly durable = new Map<string, Durable[]>();
  private readonly puts = new Map<string, number>();
  /** Issue-to-resolution time of every root put (ms). */
  readonly putMs: number[] = [];

  constructor(private readonly counter: SqlCounter) {}

  /** Call inside a stage body, right before it returns. */
  stageEnded(): void {
    const at = performance.now();
    const config = getConfig();
    const thread = config?.configurable?.thread_id;
    const step = config?.metadata?.langgraph_step;
    if (typeof thread !== 'string' || typeof step !== 'number') throw new Error('stageEnded() called outside a LangGraph node');
    this.ends.push({ scope: this.counter.current(), thread, step, at });
  }

  /** Times every `put` of `saver` (instance property; the graphs call `saver.put`). */
  wrap(saver: BaseCheckpointSaver): void {
    const put = saver.put.bind(saver);
    saver.put = async (config, checkpoint, metadata, versions) => {
      const scope = this.counter.current();
      const t0 = performance.now();
      const saved = await put(config, checkpoint, metadata, versions);
      const t1 = performance.now();
      if (!config.configurable?.checkpoint_ns) {
        const thread = String(config.configurable?.thread_id);
        let list = this.durable.get(thread);
        if (!list) this.durable.set(thread, (list = []));
        list.push({ step: Number(metadata?.step), at: t1 });
        this.putMs.push(t1 - t0);
        if (scope !== undefined) this.puts.set(scope, (this.puts.get(scope) ?? 0) + 1);
      }
      return saved;
    };
  }

  /** Root checkpoints written under `scope`. */
  putsIn(scope: string): number {
    return this.puts.get(scope) ?? 0;
  }

  /** `durable - stage end` (ms) for every stage that ended under a scope `accept` takes. */
  lags(accept: (scope: string) => boolean): number[] {
    const out: number[] = [];
    for (const e of this.ends) {
      if (e.scope === undefined || !accept(e.scope)) continue;
      const holding = (this.durable.get(e.thread) ?? []).filter((d) => d.step >= e.step);
      if (holding.length === 0) throw new Error(`no checkpoint holds the output of step ${e.step} of thread ${e.thread}`);
      out.push(Math.min(...holding.map((d) => d.at)) - e.at);
    }
    return out;
  }
}
