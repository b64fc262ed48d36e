/**
 * `stagegraph/testing`: what a pack author needs to test a pack against real
 * PostgreSQL. The stage contract (`stageContract`), a stage harness that drives a
 * plugin like the runtime does (`runStage`), whole runs on a fresh database
 * (`runWorkflow`, `testStagegraph`), fresh databases (`testDatabase`), and a stub
 * OpenAI-compatible server for LLM paths (`startOpenAIStub`).
 */
export { stageContract, jsonHazards } from './contract.ts';
export type { StageContractOptions, ContractCheck } from './contract.ts';
export { runStage, runToEnd, fakeContext } from './harness.ts';
export type { HarnessResult, RunStageOptions } from './harness.ts';
export { runWorkflow, testStagegraph } from './run-workflow.ts';
export type { WorkflowResult, TestStagegraph, TestStagegraphOptions, RunRequest } from './run-workflow.ts';
export { testDatabase, embeddedTestDatabase } from './database.ts';
export type { TestDatabase } from './database.ts';
export { startOpenAIStub } from './openai-stub.ts';
export type { OpenAIStub, StubReply, StubRequest } from './openai-stub.ts';
