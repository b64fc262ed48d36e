/**
 * Stagegraph's own package: its root directory and package.json, found by walking up
 * from this module to the package.json named `stagegraph`, because the same code runs
 * from source (`graph/packs/`) and compiled (`dist/graph/packs/`) at different depths.
 * Pack ranges are checked against its version.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StagegraphError } from '../../nodes/errors.ts';

/** The fields of stagegraph's package.json that stagegraph reads (missing maps read as empty). */
export interface StagegraphManifest {
  name: 'stagegraph';
  version: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  engines: Record<string, string>;
}

export interface StagegraphPackage {
  /** The directory of stagegraph's package.json. */
  root: string;
  manifest: StagegraphManifest;
}

let cached: StagegraphPackage | undefined;

/** Reads `package.json` in `dir`; undefined when there is none. */
function readManifest(dir: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

const map = (v: unknown) => (typeof v === 'object' && v !== null ? (v as Record<string, string>) : {});

/**
 * The nearest package.json named `stagegraph` above this module, and its directory.
 * @throws StagegraphError `internal` when there is none (a broken install).
 */
export function stagegraphPackage(): StagegraphPackage {
  if (cached) return cached;
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    const m = readManifest(dir);
    if (m?.name === 'stagegraph' && typeof m.version === 'string') {
      const manifest = { ...m, name: 'stagegraph', version: m.version, dependencies: map(m.dependencies), devDependencies: map(m.devDependencies), engines: map(m.engines) } as const;
      return (cached = { root: dir, manifest });
    }
    if (dirname(dir) === dir) break;
  }
  throw new StagegraphError('internal', `no package.json named 'stagegraph' above ${start}`, { details: { from: start } });
}

/** The running stagegraph's version, e.g. `0.1.0`. */
export function stagegraphVersion(): string {
  return stagegraphPackage().manifest.version;
}
