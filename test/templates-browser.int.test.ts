/**
 * A workflow template in the real dashboard (headless Chromium): created over REST, it is
 * in the run form's workflow list with its version, gets its first stage's form, starts
 * and is followed to completion with its graph.
 */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../client/index.ts';
import { createStagegraph, type Stagegraph } from '../graph/runtime.ts';
import { buildDashboard } from '../server/dashboard/build.ts';
import { createServer, type StagegraphServer } from '../server/index.ts';
import { templateKit } from './fixtures/template-pack.ts';
import { launchBrowser, type TestBrowser } from './support/browser.ts';
import { testDatabase, type TestDatabase } from './support/db.ts';

describe('a template in the dashboard', () => {
  let database: TestDatabase;
  let sg: Stagegraph;
  let server: StagegraphServer;
  let browser: TestBrowser;
  let url: string;

  beforeAll(async () => {
    await buildDashboard();
    database = await testDatabase({ max: 10 });
    sg = await createStagegraph({ packs: [templateKit], database: database.db, recover: false });
    server = createServer({ stagegraph: sg, auth: { mode: 'none' }, limits: { rateLimit: false }, logger: pino({ level: 'silent' }), validateResponses: true });
    ({ url } = await server.listen(0));
    browser = await launchBrowser();
    browser.page.setDefaultTimeout(20_000);
  }, 600_000); // installing chromium with apt-get, when missing, takes a while

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await sg?.close();
    await database?.drop();
  });

  it('is listed with its version, starts from its form and completes', async () => {
    const api = createClient({ baseUrl: url });
    await api.call('createWorkflow', {
      body: {
        id: 'ui-scaled', description: 'count, times 4, label',
        steps: [{ stage: 'count' }, { stage: 'scale', parameters: { factor: 4 } }, { stage: 'label' }],
        edges: [{ from: 'START', to: 'count' }, { from: 'count', to: 'scale' }, { from: 'scale', to: 'label' }, { from: 'label', to: 'END' }],
      },
    });
    const { page } = browser;
    await page.goto(`${url}/`);
    await page.locator('body[data-ready="true"]').waitFor();
    const select = page.locator('#start-workflow');
    expect(await select.locator('option').allTextContents()).toEqual(['count-once', 'ui-scaled (template v1)']);
    await select.selectOption('ui-scaled');
    await page.getByLabel('form').check();
    await page.getByLabel('n', { exact: true }).fill('2');
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.waitForURL(/#\/runs\//);
    await page.locator('#run-view[data-status="completed"]').waitFor({ timeout: 30_000 });
    for (const node of ['count', 'scale', 'label']) {
      expect(await page.locator(`.workflow-graph [data-node="${node}"]`).getAttribute('data-status')).toBe('completed');
    }
    const runId = /#\/runs\/([0-9a-f-]{36})/.exec(page.url())![1]!;
    expect((await sg.runs.get(runId)).partialResults.label).toEqual({ label: 'n=12' });
  });
});
