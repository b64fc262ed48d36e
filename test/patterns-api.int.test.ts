/**
 * `GET /api/patterns` over a real server with response validation on: every pattern
 * with when to use it, its template block's JSON Schema and a diagram of its example's
 * compiled graph; and the examples pack registered on the server runs over REST like
 * any pack (a swarm example started with orchestrate, its consensus read back).
 */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type Client } from '../client/index.ts';
import { createStagegraph, type Stagegraph } from '../graph/index.ts';
import { patternsPack } from '../graph/patterns/index.ts';
import { createServer, type StagegraphServer } from '../server/index.ts';
import { testDatabase, type TestDatabase } from './support/db.ts';

let database: TestDatabase;
let sg: Stagegraph;
let server: StagegraphServer;
let api: Client;

beforeAll(async () => {
  database = await testDatabase();
  sg = await createStagegraph({ packs: [patternsPack], database: database.db, recover: false });
  server = createServer({ stagegraph: sg, auth: { mode: 'none' }, limits: { rateLimit: false }, logger: pino({ level: 'silent' }), validateResponses: true });
  api = createClient({ baseUrl: (await server.listen(0)).url });
});

afterAll(async () => {
  await server?.close();
  await sg?.close();
  await database?.drop();
});

describe('GET /api/patterns', () => {
  it('describes every pattern: when to use it, its block, a diagram of its example', async () => {
    const { patterns } = await api.call('patterns', {});
    expect(patterns.map((p) => p.id)).toEqual(['sequential', 'parallel', 'supervisor', 'hierarchical', 'handoff', 'swarm']);
    expect(patterns.map((p) => [p.example.workflowId, p.example.registered])).toEqual([
      ['patterns-sequential', true], ['patterns-parallel', true], ['patterns-supervisor', true],
      ['patterns-hierarchical', true], ['patterns-handoff', true], ['patterns-swarm', true],
    ]);
    const supervisor = patterns.find((p) => p.id === 'supervisor')!;
    expect(supervisor.whenToUse).toMatch(/depends on what the previous ones produced/);
    expect(supervisor.parameters).toMatchObject({ type: 'object', required: expect.arrayContaining(['name', 'then', 'decision', 'workers', 'maxIterations']), additionalProperties: false });
    // The diagram is LangGraph's, of the compiled example: the editor routes to each worker, each worker back.
    expect(supervisor.diagram).toContain('graph TD;');
    for (const line of ['editor -.-> research;', 'editor -.-> write;', 'editor -.-> review;', 'editor -.-> __end__;', 'research --> editor;']) expect(supervisor.diagram).toContain(line);
    const swarm = patterns.find((p) => p.id === 'swarm')!;
    for (const v of ['lenient', 'balanced', 'strict']) expect(swarm.diagram).toContain(`classify-${v} --> triage-vote;`);
    const handoff = patterns.find((p) => p.id === 'handoff')!;
    expect(handoff.diagram).toContain('draft-gate -.-> draft-review;');
  });

  it('runs a pattern example over REST like any registered workflow', async () => {
    const { sessionId } = await api.orchestrate({ workflow: 'patterns-swarm', request: { text: 'all logins fail', severity: 9 } });
    await sg.runs.wait(sessionId);
    const run = await api.getRun(sessionId);
    expect(run.status).toBe('completed');
    const { decisions } = await api.decisions(sessionId);
    expect(decisions.map((d) => [d.point, d.chosen, d.alternatives.map((a) => a.option)])).toEqual([['triage-vote', 'urgent', ['no-consensus']]]);
  });
});
