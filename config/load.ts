/**
 * `loadConfig()`: finds and loads a project's `stagegraph.config.{ts,mts,js,mjs}`:
 * the file `--config` names, or the first one in the working directory or the
 * directories above it, up to the first that holds a `package.json` (the project's
 * root). No file: the built-in flagship pack and the defaults. A config that cannot be
 * loaded, or whose default export is not a config, is refused with one line.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Pack } from '../graph/packs/index.ts';
import { StagegraphError } from '../nodes/errors.ts';
import type { StagegraphConfig } from './define.ts';
import { importModule } from './import-module.ts';

export const CONFIG_FILES = ['stagegraph.config.ts', 'stagegraph.config.mts', 'stagegraph.config.js', 'stagegraph.config.mjs'];

export interface LoadedConfig {
  config: StagegraphConfig;
  /** The file it came from; undefined when none was found (the defaults). */
  file?: string;
  /** Where relative paths in it are resolved: the file's directory, or the working directory. */
  dir: string;
}

export interface LoadConfigOptions {
  /** A config file to load; it must exist. */
  file?: string;
  /** @default process.cwd() */
  cwd?: string;
  /** The packs when no config file is found. */
  defaultPacks: () => Pack[] | Promise<Pack[]>;
}

function invalid(file: string, why: string, hint?: string): StagegraphError {
  return new StagegraphError('invalid_config', `${file}: ${why}`, {
    class: 'validation',
    details: { file },
    hint: hint ?? "export default defineConfig({ packs: [...] }) from 'stagegraph'",
  });
}

/** The config file for `cwd`: in it or above it, not above the project's root. */
export function findConfig(cwd: string): string | undefined {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const found = CONFIG_FILES.map((f) => join(dir, f)).find((f) => existsSync(f));
    if (found) return found;
    if (existsSync(join(dir, 'package.json')) || dirname(dir) === dir) return undefined;
  }
}

/** Checks the shape of what a config file exports (the packs are checked when registered). */
function check(file: string, value: unknown): StagegraphConfig {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw invalid(file, 'the default export is not a config object');
  const c = value as Record<string, unknown>;
  if (!Array.isArray(c.packs) || c.packs.length === 0) throw invalid(file, '`packs` must be a non-empty array of definePack(...) packs');
  c.packs.forEach((p, i) => {
    if (!p || typeof p !== 'object' || typeof (p as { id?: unknown }).id !== 'string') throw invalid(file, `packs[${i}] is not a pack (definePack(...))`);
  });
  for (const key of ['database', 'server', 'llm', 'queue'] as const) {
    if (c[key] !== undefined && (typeof c[key] !== 'object' || c[key] === null)) throw invalid(file, `\`${key}\` must be an object`);
  }
  const known = new Set(['packs', 'database', 'server', 'llm', 'queue']);
  const unknown = Object.keys(c).filter((k) => !known.has(k));
  if (unknown.length) throw invalid(file, `unknown setting${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')} (known: ${[...known].join(', ')})`);
  return value as StagegraphConfig;
}

/** @example const { config, file } = await loadConfig({ file: opts.config, defaultPacks: builtinPacks }); */
export async function loadConfig(options: LoadConfigOptions): Promise<LoadedConfig> {
  const cwd = resolve(options.cwd ?? process.cwd());
  if (options.file && !existsSync(resolve(cwd, options.file))) {
    throw new StagegraphError('config_not_found', `config file not found: ${options.file}`, { class: 'validation', details: { file: options.file } });
  }
  const file = options.file ? resolve(cwd, options.file) : findConfig(cwd);
  if (!file) return { config: { packs: await options.defaultPacks() }, dir: cwd };
  let mod: Record<string, unknown>;
  try {
    mod = await importModule(file);
  } catch (cause) {
    const message = cause instanceof StagegraphError ? cause.message : String((cause as Error)?.message ?? cause).split('\n')[0];
    throw Object.assign(invalid(file, `cannot be loaded: ${message}`, cause instanceof StagegraphError ? cause.hint : undefined), { cause });
  }
  const exported = typeof mod.default === 'function' ? await (mod.default as () => unknown)() : mod.default;
  return { config: check(file, exported), file, dir: dirname(file) };
}
