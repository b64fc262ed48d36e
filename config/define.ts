/**
 * `defineConfig()`: a project's `stagegraph.config.{ts,mts,js,mjs}`: which packs it
 * runs and its settings (database, server, LLM). Every entry point reads it: the
 * CLI's commands, `serve`, and `stagegraph studio`. Without a config file the built-in
 * flagship pack (h2-tank) is what runs.
 *
 * Precedence: the environment over the file over the defaults, so one file serves
 * development and deployment (`DATABASE_URL`, `PORT`, `OPENAI_API_KEY`, ... win).
 *
 * @example
 * // stagegraph.config.ts
 * import { defineConfig } from 'stagegraph';
 * import { reviewPack } from './packs/review/index.ts';
 * export default defineConfig({ packs: [reviewPack], server: { port: 8080 } });
 */
import type { Pack } from '../graph/packs/index.ts';

export interface DatabaseConfig {
  /** A PostgreSQL connection string. `DATABASE_URL` overrides it. @default the embedded PostgreSQL */
  url?: string;
  /** Where the embedded PostgreSQL keeps its data, relative to the config file. `STAGEGRAPH_HOME` overrides it. @default ".stagegraph" */
  home?: string;
  /** Connections in this process's pool (`STAGEGRAPH_DB_POOL` overrides it); each process also holds one for its lease, and a server or worker one to LISTEN. @default 10 */
  max?: number;
}

export interface ServerConfig {
  /** `PORT` or `--port` override it. @default 8080 */
  port?: number;
  /** `--host` overrides it. @default "127.0.0.1" */
  host?: string;
  /** `'local'`: API keys (the first printed once); `'none'`: no authentication (`--no-auth`). @default "local" */
  auth?: 'local' | 'none';
}

/** An OpenAI-compatible model for decisions' fallback and stages' `ctx.llm`; the `OPENAI_API_KEY` / `STAGEGRAPH_LLM_*` variables override each field. */
export interface LlmConfig {
  /** e.g. `http://127.0.0.1:11434/v1` for a local server. */
  baseUrl?: string;
  /** @default "gpt-4o-mini" */
  model?: string;
  /** Better left to `OPENAI_API_KEY` than written in a file. */
  apiKey?: string;
  /** How long a decision waits for the LLM before its default applies. @default 2000 */
  timeoutMs?: number;
  /** @default "functionCalling" */
  method?: 'functionCalling' | 'jsonSchema';
}

/** The run queue (pg-boss), used by `stagegraph worker` and `stagegraph serve --workers <n>`. */
export interface QueueConfig {
  /** The most runs of a workflow running at once across every worker, by workflow id, e.g. `{ 'h2-tank': 3 }`. */
  limits?: Record<string, number>;
  /** The most runs of a workflow started per window across every worker, e.g. `{ 'h2-tank': { runs: 10, perSeconds: 60 } }`. */
  rates?: Record<string, { runs: number; perSeconds: number }>;
}

export interface StagegraphConfig {
  /** The packs this project runs, e.g. `[reviewPack]` or `[h2TankPack, reviewPack]`. */
  packs: Pack[];
  database?: DatabaseConfig;
  server?: ServerConfig;
  llm?: LlmConfig;
  queue?: QueueConfig;
}

/** Declares a project's config. Returns it unchanged (typed); it is checked when loaded. */
export function defineConfig(config: StagegraphConfig): StagegraphConfig {
  return config;
}
