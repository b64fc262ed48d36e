/**
 * The dashboard's run view shows a run's hook deliveries under its stage timeline, in a
 * real browser against the real server: a delivered webhook and a dead-lettered one
 * (marked), with their attempts; a run without hooks shows no hooks table.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStagegraph, type Stagegraph } from '../graph/runtime.ts';
import { buildDashboard } from '../server/dashboard/build.ts';
import { createApiKey, createServer, type StagegraphServer } from '../server/index.ts';
import { stage } from './fixtures/stages.ts';
import { sequence } from './fixtures/workflows.ts';
import { launchBrowser, type TestBrowser } from './support/browser.ts';
import { testDatabase, type TestDatabase } from './support/db.ts';
import { until } from './support/runs.ts';

let database: TestDatabase;
let sg: Stagegraph;
let api: StagegraphServer;
let browser: TestBrowser;
let url: string;
let key: string;
// `/fail` always answers 500, anything else 204.
const receiver = http.createServer((req, res) => req.resume().on('end', () => res.writeHead(req.url === '/fail' ? 500 : 204).end()));

beforeAll(async () => {
  await buildDashboard();
  database = await testDatabase({ max: 10 });
  sg = await createStagegraph({ workflows: [sequence('three', [stage('a'), stage('b'), stage('c')])], database: database.db, recover: false, hooks: { backoffMs: 50, pollMs: 50, sweepMs: 100 } });
  api = createServer({ stagegraph: sg, auth: { mode: 'token' }, limits: { rateLimit: false }, logger: pino({ level: 'silent' }), validateResponses: true });
  ({ url } = await api.listen(0));
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  key = (await createApiKey(sg.db, 'alice')).key;
  browser = await launchBrowser();
  await browser.page.addInitScript((k) => localStorage.setItem('stagegraph.apiKey', k), key);
}, 600_000);
afterAll(async () => {
  await browser?.close();
  await api?.close();
  await sg?.close();
  await new Promise<void>((r) => receiver.close(() => r()));
  await database?.drop();
});

describe('hook deliveries in the run view', () => {
  it('lists them under the timeline, dead ones marked', async () => {
    const plain = await sg.runs.start({ workflowId: 'three', request: { n: 0 }, owner: 'alice' });
    await sg.runs.wait(plain.id);
    const base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    const ok = await sg.hooks.create({ owner: 'alice', url: `${base}/ok`, events: ['run.started', 'run.completed'] });
    const dead = await sg.hooks.create({ owner: 'alice', url: `${base}/fail`, events: ['run.completed'], retries: 1 });
    const run = await sg.runs.start({ workflowId: 'three', request: { n: 0 }, owner: 'alice' });
    await sg.runs.wait(run.id);
    await until(async () => {
      const all = await sg.hooks.forRun(run.id);
      return all.length === 3 && all.every((d) => d.status === 'delivered' || d.status === 'dead') ? all : undefined;
    }, 20_000, 'three settled deliveries');

    const page = browser.page;
    await page.goto(`${url}/#/runs/${run.id}`);
    const rows = page.locator('#run-view .panel-timeline table.hooks tbody tr');
    await rows.nth(2).waitFor();
    const shown = await rows.evaluateAll((trs) => trs.map((tr) => ({
      status: tr.getAttribute('data-status'), bad: tr.classList.contains('bad'), hook: tr.children[2]!.getAttribute('title'),
      cells: Array.from(tr.querySelectorAll('td'), (td) => td.textContent),
    })));
    expect(shown).toEqual([
      { status: 'delivered', bad: false, hook: ok.hook.id, cells: ['run.started', '', `${base}/ok`, 'delivered', '1', ''] },
      { status: 'delivered', bad: false, hook: ok.hook.id, cells: ['run.completed', '', `${base}/ok`, 'delivered', '1', ''] },
      { status: 'dead', bad: true, hook: dead.hook.id, cells: ['run.completed', '', `${base}/fail`, 'dead', '2', 'HTTP 500'] },
    ]);
    expect(await page.locator('#run-view .panel-timeline table.hooks caption').textContent()).toBe('Hooks');

    await page.goto(`${url}/#/runs/${plain.id}`);
    await page.locator(`#run-view[data-run="${plain.id}"] .gantt-box svg, #run-view[data-run="${plain.id}"] .gantt-box .gantt`).first().waitFor();
    expect(await page.locator('#run-view .hooks-box').isHidden()).toBe(true);
  });
});
