/**
 * What LangGraph Studio sees of a stagegraph workflow under `langgraphjs dev`: the
 * schemas `GET /assistants/{id}/schemas` returns, derived the way
 * `@langchain/langgraph-api` derives them from the compiled graph at run time, and a
 * Studio input `{ request: "<text>" }` running to the end like a stagegraph run.
 */
import { MemorySaver } from '@langchain/langgraph';
import { getInputTypeSchema, getStateTypeSchema } from '@langchain/langgraph/zod/schema';
import { describe, expect, it } from 'vitest';
import { buildWorkflow, type CompiledWorkflow } from '../graph/compile.ts';
import { WorkflowState, type RunInfo, type WorkflowStateValue } from '../graph/state.ts';
import { h2Tank } from '../plugins/studio.ts';
import { shapesWorkflow } from './fixtures/workflows.ts';

type Json = { type?: string; anyOf?: Json[]; properties?: Record<string, Json>; required?: string[] };
interface GraphSchema { state?: Json; input?: Json; output?: Json }

const PartialStateSchema = Symbol.for('langgraph.state.partial');
const isStateSchemaLike = (v: unknown): v is { getJsonSchema(): Json; getInputJsonSchema(): Json } =>
  typeof v === 'object' && v !== null && typeof (v as Record<string, unknown>).getJsonSchema === 'function' && typeof (v as Record<string, unknown>).getInputJsonSchema === 'function';

/**
 * `getRuntimeGraphSchema` of @langchain/langgraph-api 1.5.1 (`dist/graph/parser/index.mjs`),
 * its first and, for a `StateSchema` graph, deciding tier: the builder's state, input and
 * output definitions, duck-typed. (Its later tiers, and the static TypeScript parser that
 * answered `{}` before, only run when this one finds nothing.)
 */
function runtimeGraphSchema(graph: CompiledWorkflow): GraphSchema | undefined {
  const b = graph.builder as { _schemaRuntimeDefinition?: unknown; _inputRuntimeDefinition?: unknown; _outputRuntimeDefinition?: unknown };
  if (!isStateSchemaLike(b._schemaRuntimeDefinition) && !isStateSchemaLike(b._inputRuntimeDefinition) && !isStateSchemaLike(b._outputRuntimeDefinition)) return undefined;
  const state = isStateSchemaLike(b._schemaRuntimeDefinition) ? b._schemaRuntimeDefinition.getJsonSchema() : undefined;
  const input = isStateSchemaLike(b._inputRuntimeDefinition)
    ? b._inputRuntimeDefinition.getInputJsonSchema()
    : b._inputRuntimeDefinition === PartialStateSchema && isStateSchemaLike(b._schemaRuntimeDefinition)
      ? b._schemaRuntimeDefinition.getInputJsonSchema()
      : undefined;
  const output = isStateSchemaLike(b._outputRuntimeDefinition) ? b._outputRuntimeDefinition.getJsonSchema() : undefined;
  return { state, input, output };
}

const CHANNELS = ['request', 'run', 'outputs', 'decisions', 'decisionLog', 'completed', 'scratch', 'iterations', 'warnings', 'skipped'];

describe('the h2-tank graph langgraph.json exports', () => {
  const schema = runtimeGraphSchema(h2Tank);

  it('has an input schema: the request as text', () => {
    expect(schema?.input?.properties?.request?.type).toBe('string');
    expect(Object.keys(schema!.input!.properties!)).toEqual(['request']);
  });

  it('has a state schema listing every state channel', () => {
    expect(Object.keys(schema!.state!.properties!)).toEqual(CHANNELS);
    expect(Object.keys(WorkflowState.spec)).toEqual(CHANNELS);
    const p = schema!.state!.properties!;
    expect(p.outputs!.type).toBe('object');
    expect(p.decisionLog!.type).toBe('array');
    expect(p.decisions!.type).toBe('object');
    expect(p.completed!.type).toBe('array');
    // Channels with a default are not required; the request and the run info have none.
    expect(schema!.state!.required).toEqual(['request', 'run']);
    expect(schema!.output).toEqual(schema!.state);
  });

  it("matches LangGraph's own schema helpers (@langchain/langgraph/zod/schema)", () => {
    expect(getInputTypeSchema(h2Tank)).toEqual(schema!.input);
    expect(getStateTypeSchema(h2Tank)).toEqual(schema!.state);
  });
});

describe('text input (Studio) and state input (stagegraph runs) run the same workflow', () => {
  // `shapes` takes `{ n }`; its `request` option reads a number from text, as h2-tank parses text.
  const def = { ...shapesWorkflow(), request: (r: unknown) => (typeof r === 'string' ? { n: Number(r) } : r) };
  const run: RunInfo = { id: 'r1', workflowId: 'shapes', owner: 'local', outRoot: 'out', seed: 1 };

  async function finish(graph: CompiledWorkflow, input: unknown, thread: string): Promise<WorkflowStateValue> {
    const config = { configurable: { thread_id: thread } };
    await graph.invoke(input, config);
    const snap = await graph.getState(config);
    expect(snap.next).toEqual([]);
    return snap.values;
  }

  it('a Studio input { request: "<text>" } reaches the end with the same outputs and decisions', async () => {
    const studio = await finish(buildWorkflow(def).compile(new MemorySaver(), { input: 'text' }), { request: '2' }, 'studio');
    const ours = await finish(buildWorkflow(def).compile(new MemorySaver()), { request: { n: 2 }, run }, 'ours');
    expect(studio.request).toBe('2');
    expect(studio.run).toBeUndefined();
    expect(ours.run).toEqual(run);
    expect(studio.outputs).toEqual({ a: { n: 3 }, b: { x: 6 }, c: { y: 9 }, d: { n: 15 }, negate: { n: -15 } });
    expect(ours.outputs).toEqual(studio.outputs);
    expect(studio.decisionLog.map((d) => `${d.point}:${d.chosen}`)).toEqual(['parity:odd']);
    expect(ours.decisionLog.map((d) => `${d.point}:${d.chosen}`)).toEqual(['parity:odd']);
  });

  it("a stagegraph run's input keeps its run info and takes a structured or a text request", async () => {
    const graph = buildWorkflow(def).compile(new MemorySaver());
    const schema = runtimeGraphSchema(graph)!;
    expect(Object.keys(schema.input!.properties!)).toEqual(CHANNELS);
    expect(schema.input!.properties!.request!.anyOf!.map((s) => s.type)).toEqual(['string', 'object', 'array', 'number', 'boolean', 'null']);
    expect((await finish(graph, { request: '1', run }, 'text')).outputs.grow).toEqual({ n: 30 });
    expect((await finish(graph, { request: { n: 1 }, run }, 'structured')).outputs.grow).toEqual({ n: 30 });
  });

  it('rejects an unknown input kind when compiling', () => {
    expect(() => buildWorkflow(def).compile(undefined, { input: 'form' as never })).toThrow(new TypeError(`compile(): options.input must be 'state' or 'text', got "form"`));
  });
});
