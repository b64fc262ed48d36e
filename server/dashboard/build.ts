/**
 * Bundles the dashboard page (`src/main.ts`, which imports the typed client from
 * `client/`) into one ES module, `public/app.js`, with esbuild. Run by
 * `npm run build:dashboard`, by the browser tests before they start, and by
 * `dashboard()` on its first request when the bundle is missing (from sources only).
 * The output is gitignored (`server/dashboard/.gitignore`): it is always built from
 * the sources. `npm run build` passes an output directory (`dist/.../public`): the
 * static files are copied next to the bundle, so the package ships a built dashboard
 * and never needs esbuild at run time.
 */
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';

export interface BuildDashboardOptions {
  /** @default server/dashboard/public */
  outdir?: string;
  /** @default true */
  minify?: boolean;
}

export interface BuiltDashboard {
  /** The bundle's path. */
  file: string;
  bytes: number;
  ms: number;
}

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/**
 * zod re-exports all of its ~40 message locales as `z.locales`, which keeps them in
 * the bundle although nothing here reads them (English, the default, is imported
 * separately). Resolving that one index to an empty module halves the bundle.
 */
const dropZodLocales: Plugin = {
  name: 'drop-zod-locales',
  setup(b) {
    b.onResolve({ filter: /\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]/.test(args.importer) ? { path: 'zod-locales', namespace: 'empty' } : undefined);
    b.onLoad({ filter: /.*/, namespace: 'empty' }, () => ({ contents: '', loader: 'js' }));
  },
};

/** @example await buildDashboard(); // writes server/dashboard/public/app.js */
export async function buildDashboard(options: BuildDashboardOptions = {}): Promise<BuiltDashboard> {
  const t0 = performance.now();
  const { build } = await import('esbuild');
  const outdir = options.outdir ?? here('./public/');
  const result = await build({
    entryPoints: { app: here('./src/main.ts') },
    outdir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome110', 'firefox115', 'safari16'],
    minify: options.minify ?? true,
    sourcemap: 'linked',
    legalComments: 'none',
    // The client loads `ws` only where there is no global WebSocket (old Node), never in a browser.
    external: ['ws'],
    plugins: [dropZodLocales],
    write: false,
    logLevel: 'silent',
  });
  let bundle: { path: string; bytes: number } | undefined;
  for (const out of result.outputFiles) {
    await writeIfChanged(out.path, out.contents);
    if (out.path.endsWith('.js')) bundle = { path: out.path, bytes: out.contents.byteLength };
  }
  return { file: bundle!.path, bytes: bundle!.bytes, ms: Math.round(performance.now() - t0) };
}

/** Writes through a temporary file and a rename, so a concurrent reader (another test worker) never sees half a bundle. */
async function writeIfChanged(path: string, contents: Uint8Array): Promise<void> {
  const old = await readFile(path).catch(() => undefined);
  if (old?.equals(contents)) return;
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, contents);
  await rename(tmp, path);
}

/** Copies the page and its static assets (everything in `public/` but the bundle) to `outdir`. */
async function copyStatic(outdir: string): Promise<void> {
  const from = here('./public/');
  for (const name of await readdir(from)) {
    if (name.startsWith('app.js') || name.endsWith('.tmp')) continue;
    await copyFile(join(from, name), join(outdir, name));
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const outdir = process.argv[2] ? resolve(process.argv[2]) : undefined;
  const built = await buildDashboard({ outdir });
  if (outdir) await copyStatic(outdir);
  console.log(`dashboard: ${built.file} ${(built.bytes / 1024).toFixed(0)} KiB in ${built.ms} ms`);
}
