/**
 * `dashboard()` through a real Koa app on port 0: the page at `/`, assets under
 * `/dashboard/*` with their content types, ETags and cache headers, and everything
 * else passed on to the next middleware.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStagegraphError } from '../nodes/errors.ts';
import { buildDashboard } from '../server/dashboard/build.ts';
import { dashboard, type DashboardOptions } from '../server/dashboard/middleware.ts';

const PUBLIC = fileURLToPath(new URL('../server/dashboard/public/', import.meta.url));

async function serve(options?: DashboardOptions): Promise<{ url: string; close(): Promise<void> }> {
  const app = new Koa();
  app.use(async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body == null) ctx.body = { passedOn: true };
    } catch (e) {
      ctx.status = 500;
      ctx.body = { code: isStagegraphError(e) ? e.code : 'internal' };
    }
  });
  app.use(dashboard(options));
  const server = http.createServer(app.callback());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

const hash = (b: Buffer) => createHash('sha256').update(b).digest('hex').slice(0, 10);

describe('dashboard() middleware', () => {
  let srv: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    await buildDashboard();
    srv = await serve();
  });
  afterAll(() => srv.close());

  it('serves the page at / with no-cache, an ETag, a CSP, and versioned asset URLs', async () => {
    const res = await fetch(`${srv.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await res.text();
    const js = await readFile(join(PUBLIC, 'app.js'));
    const css = await readFile(join(PUBLIC, 'app.css'));
    expect(html).toContain(`/dashboard/app.js?v=${hash(js)}`);
    expect(html).toContain(`/dashboard/app.css?v=${hash(css)}`);
    expect(html).not.toContain('{{v:');
    const again = await fetch(`${srv.url}/`, { headers: { 'if-none-match': res.headers.get('etag')! } });
    expect(again.status).toBe(304);
  });

  it('serves assets with their content type: immutable for the current version, revalidated otherwise', async () => {
    const js = await readFile(join(PUBLIC, 'app.js'));
    const current = await fetch(`${srv.url}/dashboard/app.js?v=${hash(js)}`);
    expect(current.status).toBe(200);
    expect(current.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(current.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(Buffer.from(await current.arrayBuffer()).equals(js)).toBe(true);
    const stale = await fetch(`${srv.url}/dashboard/app.js?v=0000000000`);
    expect(stale.headers.get('cache-control')).toBe('no-cache');
    await stale.arrayBuffer();
    const css = await fetch(`${srv.url}/dashboard/app.css`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect((await fetch(`${srv.url}/dashboard/favicon.svg`)).headers.get('content-type')).toBe('image/svg+xml');
    const etag = css.headers.get('etag')!;
    await css.text();
    expect((await fetch(`${srv.url}/dashboard/app.css`, { headers: { 'if-none-match': `W/${etag}` } })).status).toBe(304);
    const head = await fetch(`${srv.url}/dashboard/app.css`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(1000);
  });

  it('passes on other paths, unknown assets, traversal attempts and other methods', async () => {
    for (const [path, method] of [['/api/agent/runs', 'GET'], ['/dashboard/missing.js', 'GET'], ['/dashboard/..%2Fmiddleware.ts', 'GET'], ['/dashboard/', 'GET'], ['/', 'POST'], ['/index.htm', 'GET']] as const) {
      const res = await fetch(`${srv.url}${path}`, { method });
      expect([path, res.status, await res.json()]).toEqual([path, 200, { passedOn: true }]);
    }
  });

  it('answers dashboard_not_built for a root without a bundle', async () => {
    const root = await mkdtemp(join(tmpdir(), 'sg-dash-'));
    await writeFile(join(root, 'index.html'), '<script src="/dashboard/app.js?v={{v:app.js}}"></script>');
    const s = await serve({ root });
    try {
      const res = await fetch(`${s.url}/`);
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual({ code: 'dashboard_not_built' });
      await writeFile(join(root, 'app.js'), 'export {};');
      expect((await fetch(`${s.url}/`)).status).toBe(200); // a later request tries again
    } finally {
      await s.close();
      await rm(root, { recursive: true, force: true });
    }
  });
});
