/**
 * `stagegraph`: the package's main entry point. Workflows (`defineWorkflow`), packs
 * (`definePack`), the project config (`defineConfig`), the stage plugin contract and
 * its errors, decisions, coordination patterns (`supervisor`, `swarm`, `handoff`,
 * `subWorkflow`, ...), and the runtime (`createStagegraph`, runs). The server is
 * `stagegraph/server`, the browser-safe client `stagegraph/client`, the test kit
 * `stagegraph/testing`, the flagship pack `stagegraph/packs/h2-tank`.
 */
export * from './graph/index.ts';
export * from './graph/patterns/index.ts';
export * from './nodes/index.ts';
export * from './config/index.ts';
