/**
 * The state every stagegraph workflow shares. Stage outputs, decision records and
 * loop counters live here, so checkpoints, Studio and restore carry them.
 *
 * Declared once as a LangGraph `StateSchema` (`WorkflowStateSchema`): each channel has a
 * zod schema (`schemas.ts`), so LangGraph validates writes and LangGraph Studio /
 * `langgraphjs dev` show the state and input (`GET /assistants/{id}/schemas`).
 * `WorkflowState` is the same channels as an `Annotation` root, for code that reads
 * channels by name (`WorkflowState.spec`).
 *
 * Storage: `outputs`, `decisions` and `decisionLog` grow with every stage and decision,
 * so they are `DeltaValue`s (LangGraph `DeltaChannel`s): a step stores only what it adds
 * (its pending write), not the whole accumulated value again, and a read replays the
 * writes since the nearest snapshot (one every {@link DELTA_SNAPSHOT_EVERY} updates). The
 * other channels are small or replaced whole (`scratch`) and keep full values per version.
 * `DeltaChannel` is beta in LangGraph 1.7; the stored form is LangGraph's own (pending
 * writes, `DeltaSnapshot` blobs), checkpoints stored with full values before it still
 * read and resume (they seed the replay), and retention (`graph/retention/keep.ts`)
 * keeps every checkpoint whose pending writes a replay needs.
 */
import { Annotation, DeltaValue, ReducedValue, StateSchema, type StateSchemaFieldsToStateDefinition } from '@langchain/langgraph';
import { z } from 'zod';
import { DecisionRecordSchema, RequestSchema, RunInfoSchema, StageWarningSchema } from './schemas.ts';

export type StageWarning = z.infer<typeof StageWarningSchema>;

/** Which run this state belongs to; absent under LangGraph's own server. */
export type RunInfo = z.infer<typeof RunInfoSchema>;

/**
 * Updates of a delta channel between full snapshots: bounds what a read replays.
 * Higher stores less and reads more. LangGraph's default.
 */
export const DELTA_SNAPSHOT_EVERY = 100;

// LangGraph reads a schema's default once and hands that one value to every thread:
// frozen, so a stray in-place mutation throws instead of leaking into other runs.
const emptyDict = <T>(): Record<string, T> => Object.freeze({}) as Record<string, T>;
const emptyList = <T>(): T[] => Object.freeze([]) as unknown as T[];

const dict = <T extends z.ZodType>(value: T) => z.record(z.string(), value).default(emptyDict<z.infer<T>>);
const list = <T extends z.ZodType>(item: T) => z.array(item).default(emptyList<z.infer<T>>);

const merge = <T>(a: Record<string, T>, b: Record<string, T>) => ({ ...a, ...b });
const append = <T>(a: T[], b: T[]) => a.concat(b);

/** A dict merged key by key, stored as deltas. The reducer is batching-invariant, as `DeltaChannel` requires. */
const mergedDelta = <T extends z.ZodType>(value: T, description: string) =>
  new DeltaValue(dict(value).describe(description), {
    reducer: (a: Record<string, z.infer<T>>, bs: Record<string, z.infer<T>>[]) => Object.assign({}, a, ...bs),
    snapshotFrequency: DELTA_SNAPSHOT_EVERY,
  });

/** A list appended to, stored as deltas. */
const appendedDelta = <T extends z.ZodType>(item: T, description: string) =>
  new DeltaValue(list(item).describe(description), {
    reducer: (a: z.infer<T>[], bs: z.infer<T>[][]) => a.concat(...bs),
    snapshotFrequency: DELTA_SNAPSHOT_EVERY,
  });

const fields = {
  request: RequestSchema,
  // No default: the channel stays empty (not `undefined`) where no run info is given.
  run: RunInfoSchema,
  outputs: mergedDelta(z.unknown(), 'Output of each completed stage, by stage name.'),
  decisions: mergedDelta(DecisionRecordSchema, 'The latest decision of each decision point, by point name.'),
  decisionLog: appendedDelta(DecisionRecordSchema, 'Every decision in the order it was made (loops decide a point more than once).'),
  completed: new ReducedValue(list(z.string()).describe('Stage names in completion order (compensation runs them in reverse).'), { reducer: append }),
  scratch: new ReducedValue(dict(z.unknown()).describe('Scratch of a stepped stage between its steps; `null` once it finished.'), { reducer: merge }),
  iterations: new ReducedValue(dict(z.number()).describe('Times each bounded loop has been taken, by decision point.'), { reducer: merge }),
  warnings: new ReducedValue(list(StageWarningSchema).describe('Optional stages that were skipped, and other warnings.'), { reducer: append }),
  skipped: new ReducedValue(list(z.string()).describe('Optional stages that were skipped.'), { reducer: append }),
};

/** The workflow state as LangGraph's `StateSchema`: what `buildWorkflow()` compiles with. */
export const WorkflowStateSchema = new StateSchema(fields);

/** The same channels as an `Annotation` root (`WorkflowState.spec`: channel by name). */
export const WorkflowState = Annotation.Root(WorkflowStateSchema.getChannels() as StateSchemaFieldsToStateDefinition<typeof fields>);

/** A read of the state. `request` is whatever the caller sent; `run` is absent under LangGraph's own server. */
export type WorkflowStateValue = Omit<typeof WorkflowState.State, 'request' | 'run'> & { request: unknown; run: RunInfo | undefined };
export type WorkflowStateUpdate = typeof WorkflowState.Update;
