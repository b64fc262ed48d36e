/**
 * What a loaded config means for the runtime: the options of `createStagegraph`,
 * `openDatabase` and `serve`, with the environment over the file over the defaults.
 * The LLM settings are merged into the `OPENAI_API_KEY` / `STAGEGRAPH_LLM_*` variables'
 * shape, so one reader (`chatModelFromEnv`, `llmFallbackFromEnv`) validates both.
 */
import { resolve } from 'node:path';
import { chatModelFromEnv, llmFallbackFromEnv } from '../graph/decisions/llm.ts';
import type { GraphRuntimeDeps } from '../graph/deps.ts';
import type { OpenDatabaseOptions } from '../graph/store/database.ts';
import { StagegraphError } from '../nodes/errors.ts';
import type { LlmConfig, ServerConfig } from './define.ts';
import type { LoadedConfig } from './load.ts';

type Env = Record<string, string | undefined>;

/** The LLM variables: each from the environment when set, else from the config. */
export function llmEnv(llm: LlmConfig | undefined, env: Env): Env {
  const pick = (name: string, value: string | number | undefined) => (env[name] ? env[name] : value === undefined ? undefined : String(value));
  return {
    OPENAI_API_KEY: pick('OPENAI_API_KEY', llm?.apiKey),
    STAGEGRAPH_LLM_BASE_URL: pick('STAGEGRAPH_LLM_BASE_URL', llm?.baseUrl),
    STAGEGRAPH_LLM_MODEL: pick('STAGEGRAPH_LLM_MODEL', llm?.model),
    STAGEGRAPH_LLM_TIMEOUT_MS: pick('STAGEGRAPH_LLM_TIMEOUT_MS', llm?.timeoutMs),
    STAGEGRAPH_LLM_METHOD: pick('STAGEGRAPH_LLM_METHOD', llm?.method),
  };
}

/** The stages' `ctx.llm` and the decisions' fallback, when an LLM is configured. */
export function llmDeps(loaded: LoadedConfig, env: Env = process.env): Pick<GraphRuntimeDeps, 'llm' | 'fallback'> {
  const vars = llmEnv(loaded.config.llm, env);
  return { llm: chatModelFromEnv(vars), fallback: llmFallbackFromEnv(vars) };
}

/** A pool size from the environment: a whole number from 2 (a run reads while it writes) to 1000. @throws StagegraphError `invalid_config` */
function poolSize(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 2 || n > 1000) {
    throw new StagegraphError('invalid_config', `STAGEGRAPH_DB_POOL must be a whole number from 2 to 1000, got '${text}'`, { class: 'validation', details: { STAGEGRAPH_DB_POOL: text } });
  }
  return n;
}

/** `DATABASE_URL` over `database.url`; `STAGEGRAPH_HOME` over `database.home` (relative to the config file); `STAGEGRAPH_DB_POOL` over `database.max`. */
export function databaseOptions(loaded: LoadedConfig, env: Env = process.env): OpenDatabaseOptions {
  const db = loaded.config.database ?? {};
  return {
    url: env.DATABASE_URL || db.url || undefined,
    home: env.STAGEGRAPH_HOME || resolve(loaded.dir, db.home ?? '.stagegraph'),
    max: poolSize(env.STAGEGRAPH_DB_POOL) ?? db.max,
  };
}

/** The server's settings from the file; flags and `PORT` override them where the command reads them. */
export function serverSettings(loaded: LoadedConfig, env: Env = process.env): Required<Pick<ServerConfig, 'port' | 'host' | 'auth'>> {
  const s = loaded.config.server ?? {};
  return { port: env.PORT ? Number(env.PORT) : s.port ?? 8080, host: s.host ?? '127.0.0.1', auth: s.auth ?? 'local' };
}
