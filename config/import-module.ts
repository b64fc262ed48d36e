/**
 * Imports a user's module (a config file, a `--workflows` module) by path, whether it
 * is JavaScript or TypeScript. stagegraph itself runs as compiled JavaScript; when it
 * does and the runtime cannot strip types (Node 20 and 22 without the flag), the first
 * TypeScript import registers tsx's loader for the process, so the user's own `.ts`
 * files (and the `.ts` files they import) load. From the sources (tsx, vitest), or on
 * a Node that strips types, modules are imported as they are.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const TYPESCRIPT = /\.(c|m)?tsx?$/;
/** This module is compiled JavaScript (the package), not a TypeScript source run by tsx or vitest. */
const COMPILED = import.meta.url.endsWith('.js');
let tsxRegistered = false;

async function ensureTypeScript(): Promise<void> {
  if (tsxRegistered || !COMPILED || (process.features as { typescript?: unknown }).typescript) return;
  const { register } = await import('tsx/esm/api');
  register();
  tsxRegistered = true;
}

/** The module's namespace. Throws what the import throws (a missing file, a syntax error, ...). */
export async function importModule(file: string): Promise<Record<string, unknown>> {
  if (TYPESCRIPT.test(file)) await ensureTypeScript();
  return (await import(pathToFileURL(resolve(file)).href)) as Record<string, unknown>;
}
