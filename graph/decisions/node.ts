/**
 * A decision point as a LangGraph node: decides (or recalls an earlier decision),
 * writes the record into state and the ledger, and counts loop iterations. The
 * conditional edge after it (`routeAfter`) only reads the record. A fresh decision
 * uses the learned preferences of the run's owner (`state.run.owner`).
 */
import type { LangGraphRunnableConfig } from '@langchain/langgraph';
import { signalWriter } from '../../nodes/signals.ts';
import { depsOf } from '../deps.ts';
import type { WorkflowStateUpdate, WorkflowStateValue } from '../state.ts';
import type { RouteEdge } from '../workflow.ts';
import { decide } from './decide.ts';
import type { DecisionPoint, DecisionRecord } from './types.ts';

export function decisionNode(point: DecisionPoint, route: RouteEdge | undefined, loopTargets: Set<string> | undefined) {
  return async (state: WorkflowStateValue, config: LangGraphRunnableConfig): Promise<WorkflowStateUpdate> => {
    const deps = depsOf(config);
    const runId = String(config.configurable?.thread_id ?? 'local');
    const iteration = state.decisionLog.filter((d) => d.point === point.name).length;
    const inputs = JSON.parse(JSON.stringify(point.inputs(state) ?? {})) as Record<string, unknown>;

    let record: DecisionRecord | undefined = await deps?.ledger?.recall(runId, point.name, iteration, inputs);
    const reused = record !== undefined;
    if (!record) {
      const owner = state.run?.owner;
      const preferences = owner && deps?.preferences ? await deps.preferences.load(owner, point.name) : undefined;
      record = await decide(point, inputs, { iteration, fallback: deps?.fallback, preferences, signal: config.signal });
    }
    // A recalled record is already in the ledger (once per point and run); saving it
    // again under a restore's branch would collide on its id.
    if (deps?.ledger && !reused) record = await deps.ledger.save(runId, deps.branch ?? '', record, deps.fence);
    signalWriter(config)({ sg: 'decision', record, reused });

    const update: WorkflowStateUpdate = { decisions: { [point.name]: record }, decisionLog: [record] };
    const target = route?.routes[record.chosen];
    if (target && loopTargets?.has(target)) {
      update.iterations = { [point.name]: (state.iterations[point.name] ?? 0) + 1 };
    }
    return update;
  };
}

/** The node a routed decision point leads to, honouring its loop bound. */
export function routeAfter(route: RouteEdge, loopTargets: Set<string> | undefined, failNode: string) {
  return (state: WorkflowStateValue): string => {
    const record = state.decisions[route.from];
    const target = record ? route.routes[record.chosen] : undefined;
    if (!target) return failNode;
    if (route.loop && loopTargets?.has(target) && (state.iterations[route.from] ?? 0) > route.loop.maxIterations) {
      return route.loop.onExhausted === 'fail' ? failNode : route.loop.onExhausted;
    }
    return target;
  };
}
