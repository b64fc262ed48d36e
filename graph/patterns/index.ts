/**
 * Coordination patterns as building blocks: each builds workflow parts (stages,
 * decision points, edges, inputs) that `assemble()` or a template puts together and
 * `buildWorkflow()` checks like any workflow. The catalogue (`PATTERNS`) is the same
 * patterns as data, for templates and `GET /api/patterns`.
 */
export { assemble, blackboard, lastCompleted, invalidPattern } from './parts.ts';
export type { PatternParts, AssembleOptions } from './parts.ts';
export { sequential, parallel } from './sequential.ts';
export type { SequentialOptions, ParallelOptions } from './sequential.ts';
export { supervisor, supervisorView, SUPERVISOR_DONE } from './supervisor.ts';
export type { SupervisorOptions, SupervisorView } from './supervisor.ts';
export { swarm, variants, consensus, count as tally, NO_CONSENSUS, CONSENSUS_METHODS } from './swarm.ts';
export type { SwarmOptions, ConsensusMethod, Tally, Variant } from './swarm.ts';
export { handoff, gateIssues, handedOff, gateName, reviewName } from './handoff.ts';
export type { HandoffOptions, Gate, GateRule } from './handoff.ts';
export { subWorkflow } from './hierarchical.ts';
export type { SubWorkflowOptions } from './hierarchical.ts';
export { PATTERNS, patternOf, entryOf, describePattern } from './catalogue.ts';
export type { PatternSpec, PatternId, PatternLookup, PatternDescription } from './catalogue.ts';
export { GATE_CHECKS, gateRule } from './template-gates.ts';
export type { GateCheck, GateRuleData } from './template-gates.ts';
export { patternsPack, patternsExamplePack, patternExamples } from './examples/index.ts';
export type { ExampleOptions } from './examples/index.ts';
