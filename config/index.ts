/** A project's configuration: `defineConfig()` and how entry points find and load it. */
export { defineConfig } from './define.ts';
export type { StagegraphConfig, DatabaseConfig, ServerConfig, LlmConfig, QueueConfig } from './define.ts';
export { loadConfig, findConfig, CONFIG_FILES } from './load.ts';
export type { LoadedConfig, LoadConfigOptions } from './load.ts';
export { importModule } from './import-module.ts';
export { studioGraph } from './studio.ts';
