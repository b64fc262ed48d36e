/**
 * `dashboard()`: a Koa middleware that serves the dashboard page at `/` and its assets
 * under `/dashboard/*` from `server/dashboard/public/`. Everything else (other paths,
 * methods other than GET and HEAD, unknown assets) goes on to `next()`, so the app's
 * router and its one error channel answer as usual.
 *
 * Caching: the page itself is `no-cache` (always revalidated by ETag). It refers to
 * each asset as `/dashboard/<name>?v=<content hash>`; a request whose `v` matches the
 * asset's current hash gets `immutable` for a year, any other request `no-cache` with
 * an ETag. A redeploy therefore changes the URLs and no browser keeps a stale bundle.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Koa from 'koa';
import { StagegraphError } from '../../nodes/errors.ts';
import type { AppState } from '../http/state.ts';

export interface DashboardOptions {
  /** Where the static files are. @default server/dashboard/public next to this file */
  root?: string;
  /**
   * Build `app.js` (esbuild, from `server/dashboard/src/`) when it is missing, on the
   * first request. `false` answers with `dashboard_not_built` instead. The package
   * ships the bundle built (`npm run build`), so only a source checkout builds.
   * @default true when running from the TypeScript sources, false when compiled
   */
  buildIfMissing?: boolean;
}

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
  /** First 10 hex digits of the content's sha256, used as `?v=`. */
  hash: string;
}

const PUBLIC = fileURLToPath(new URL('./public/', import.meta.url));
/** Running from `server/dashboard/middleware.ts` (a checkout), not from the compiled package. */
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const ASSET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};
/** The page talks only to its own origin; inline script and style are not needed. */
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

function asset(body: Buffer, name: string): Asset {
  const digest = createHash('sha256').update(body).digest('hex');
  return { body, type: TYPES[extname(name)] ?? 'application/octet-stream', etag: `"${digest.slice(0, 27)}"`, hash: digest.slice(0, 10) };
}

/** Reads every file in `root`; the page gets each `{{v:<name>}}` replaced by that asset's hash. */
async function load(root: string): Promise<{ page: Asset; assets: Map<string, Asset> }> {
  const assets = new Map<string, Asset>();
  for (const name of await readdir(root)) {
    if (name === 'index.html' || !ASSET_NAME.test(name) || name.endsWith('.tmp')) continue;
    assets.set(name, asset(await readFile(join(root, name)), name));
  }
  const html = (await readFile(join(root, 'index.html'), 'utf8')).replace(/\{\{v:([A-Za-z0-9._-]+)\}\}/g, (_, name: string) => {
    const a = assets.get(name);
    if (!a) throw new StagegraphError('dashboard_not_built', `dashboard asset '${name}' is missing in ${root}`, { class: 'fatal', details: { name, root }, hint: 'run npm run build:dashboard' });
    return a.hash;
  });
  return { page: asset(Buffer.from(html), 'index.html'), assets };
}

function fresh(ctx: Koa.Context, etag: string): boolean {
  const given = ctx.get('if-none-match');
  return given !== '' && given.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

/**
 * @example
 * const api = createServer({ stagegraph: sg, auth: { mode: 'none' } });
 * api.app.use(dashboard());
 */
export function dashboard(options: DashboardOptions = {}): Koa.Middleware<AppState> {
  const root = options.root ?? PUBLIC;
  const buildIfMissing = options.buildIfMissing ?? FROM_SOURCE;
  let loaded: Promise<{ page: Asset; assets: Map<string, Asset> }> | undefined;
  const ready = () =>
    (loaded ??= (async () => {
      if (!existsSync(join(root, 'app.js'))) {
        if (!buildIfMissing || root !== PUBLIC) {
          throw new StagegraphError('dashboard_not_built', `the dashboard bundle ${join(root, 'app.js')} is missing`, { class: 'fatal', details: { root }, hint: FROM_SOURCE ? 'run npm run build:dashboard' : 'the package ships dist/server/dashboard/public/app.js: reinstall stagegraph' });
        }
        const { buildDashboard } = await import('./build.ts');
        await buildDashboard();
      }
      return load(root);
    })().catch((e: unknown) => {
      loaded = undefined; // a later request tries again
      throw e;
    }));

  return async (ctx, next) => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
    let file: Asset | undefined;
    if (ctx.path === '/' || ctx.path === '/index.html') {
      ctx.state.route = '/';
      file = (await ready()).page;
      ctx.set('Cache-Control', 'no-cache');
      ctx.set('Content-Security-Policy', CSP);
      ctx.set('Referrer-Policy', 'no-referrer');
      ctx.set('X-Frame-Options', 'DENY');
    } else if (ctx.path.startsWith('/dashboard/')) {
      const name = ctx.path.slice('/dashboard/'.length);
      if (!ASSET_NAME.test(name)) return next();
      file = (await ready()).assets.get(name);
      if (!file) return next();
      ctx.state.route = '/dashboard/*';
      ctx.set('Cache-Control', ctx.query.v === file.hash ? 'public, max-age=31536000, immutable' : 'no-cache');
    } else {
      return next();
    }
    ctx.set('ETag', file.etag);
    ctx.set('X-Content-Type-Options', 'nosniff');
    if (fresh(ctx, file.etag)) {
      ctx.status = 304;
      return;
    }
    ctx.status = 200;
    ctx.type = file.type;
    ctx.length = file.body.length;
    ctx.body = file.body; // Koa sends no body for HEAD
  };
}
