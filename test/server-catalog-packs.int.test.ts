/**
 * `GET /api/plugins?capability=` answers from the pack registry: every plugin says the
 * pack that offers it (null for a workflow registered outside any pack), over a real
 * server with response validation on.
 */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type Client } from '../client/index.ts';
import { createStagegraph, definePack, type Stagegraph } from '../graph/index.ts';
import { h2TankPack } from '../plugins/index.ts';
import { createServer, type StagegraphServer } from '../server/index.ts';
import { stage } from './fixtures/stages.ts';
import { sequence } from './fixtures/workflows.ts';
import { tenStages } from './server-fixtures.ts';
import { testDatabase, type TestDatabase } from './support/db.ts';

const tuner = { ...stage('tune'), capabilities: ['optimization', 'test'], description: 'tunes n' };
const tunePack = definePack({ id: 'tune', version: '0.3.0', stagegraph: '^0.1', workflows: [sequence('tune-flow', [tuner])] });

let database: TestDatabase;
let sg: Stagegraph;
let server: StagegraphServer;
let api: Client;

beforeAll(async () => {
  database = await testDatabase();
  sg = await createStagegraph({ packs: [h2TankPack, tunePack], workflows: [tenStages()], database: database.db, recover: false });
  server = createServer({ stagegraph: sg, auth: { mode: 'none' }, limits: { rateLimit: false }, logger: pino({ level: 'silent' }), validateResponses: true });
  api = createClient({ baseUrl: (await server.listen(0)).url });
});

afterAll(async () => {
  await server?.close();
  await sg?.close();
  await database?.drop();
});

describe('GET /api/plugins', () => {
  it('exposes the registry on the stagegraph', () => {
    expect(sg.registry.packs.map((p) => p.id)).toEqual(['h2-tank', 'tune']);
    expect([...sg.workflows.keys()]).toEqual(['h2-tank', 'tune-flow', 'ten']);
  });

  it('answers a capability from the registry, each plugin with its pack', async () => {
    const { plugins } = await api.plugins({ capability: 'optimization' });
    expect(plugins.map((p) => [p.name, p.pack, p.workflows])).toEqual([
      ['optimize', { id: 'h2-tank', version: '1.0.0' }, ['h2-tank']],
      ['tune', { id: 'tune', version: '0.3.0' }, ['tune-flow']],
    ]);
    expect(plugins[1]).toMatchObject({ description: 'tunes n (pack tune@0.3.0)', capabilities: ['optimization', 'test'] });
    expect(plugins[1]!.input).toMatchObject({ type: 'object', properties: { n: { type: 'number' } }, required: ['n'] });
  });

  it('lists stages of workflows outside any pack with pack null', async () => {
    const { plugins } = await api.plugins({ capability: 'test' });
    expect(plugins.map((p) => `${p.name}:${p.pack?.id ?? null}`)).toEqual(['s0:null', 's1:null', 's2:null', 's3:null', 's4:null', 's5:null', 's6:null', 's7:null', 's8:null', 's9:null', 'tune:tune']);
    const all = await api.plugins();
    expect(all.plugins).toHaveLength(11 + 1 + 10);
    expect(all.plugins.filter((p) => p.pack?.id === 'h2-tank')).toHaveLength(11);
    expect((await api.plugins({ capability: 'no-such-capability' })).plugins).toEqual([]);
  });
});
