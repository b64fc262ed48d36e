/**
 * API keys are created on purpose and stored: `stagegraph keys create|list|revoke` as a
 * user runs them (real processes), a server that accepts a key until it is revoked and
 * then refuses it (401 `invalid_token`, reason `revoked`), and `serve()` that creates
 * the first key of an install once instead of a new one on every start.
 */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, createClient } from '../client/index.ts';
import { createStagegraph, type Stagegraph } from '../graph/runtime.ts';
import { createServer, ensureApiKey, serve, type StagegraphServer } from '../server/index.ts';
import { stage } from './fixtures/stages.ts';
import { sequence } from './fixtures/workflows.ts';
import { testDatabase, type TestDatabase } from './support/db.ts';
import { stagegraphDone } from './support/processes.ts';

const silent = pino({ level: 'silent' });
let database: TestDatabase;
let env: Record<string, string>;

beforeAll(async () => {
  database = await testDatabase();
  env = { DATABASE_URL: database.url };
});
afterAll(async () => {
  await database.drop();
});

async function keysCli(...args: string[]) {
  return stagegraphDone(['keys', ...args], env);
}

async function refusal(p: Promise<unknown>): Promise<ApiError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(ApiError);
  return e as ApiError;
}

describe('stagegraph keys', () => {
  let sg: Stagegraph;
  let server: StagegraphServer;
  let url: string;
  beforeAll(async () => {
    sg = await createStagegraph({ workflows: [sequence('one', [stage('a')])], database: database.db, recover: false });
    // No key cache: every request reads the key's row, so a revocation applies to the next request.
    server = createServer({ stagegraph: sg, auth: { mode: 'token', keyCacheMs: 0 }, logger: silent });
    url = (await server.listen(0)).url;
  });
  afterAll(async () => {
    await server.close();
    await sg.close();
  });

  it('create prints the key once, alone on stdout; list shows it without its secret; the server accepts it until revoke, then refuses it', async () => {
    const created = await keysCli('create', '--owner', 'alice', '--name', 'ci');
    expect(created.code, created.stderr).toBe(0);
    const key = created.stdout.trim();
    expect(key).toMatch(/^sgk_[A-Za-z0-9_-]{43}$/);
    expect(created.stderr).toContain('shown only this once');

    const listed = await keysCli('list', '--json');
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).not.toContain(key);
    const [info, ...others] = JSON.parse(listed.stdout) as Record<string, unknown>[];
    expect(others).toEqual([]);
    expect(info).toEqual({ id: expect.any(String), owner: 'alice', name: 'ci', createdAt: expect.any(String) });
    const id = info!.id as string;
    expect(created.stderr).toContain(`stagegraph keys revoke ${id}`);

    const alice = createClient({ baseUrl: url, token: key });
    expect((await alice.listRuns()).runs).toEqual([]);
    const used = JSON.parse((await keysCli('list', '--json')).stdout) as Record<string, unknown>[];
    expect(used[0]).toMatchObject({ id, lastUsedAt: expect.any(String) });
    expect(used[0]!.revokedAt).toBeUndefined();

    const revoked = await keysCli('revoke', id);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout.trim()).toBe(`revoked ${id}`);
    const refused = await refusal(alice.listRuns());
    expect({ status: refused.status, code: refused.code, details: refused.details }).toEqual({ status: 401, code: 'invalid_token', details: { reason: 'revoked' } });

    const text = await keysCli('list');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`^${id}\\s+alice\\s+ci\\s+\\S+\\s+used \\S+\\s+revoked \\S+$`, 'm'));

    const again = await keysCli('revoke', id);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('error [api_key_not_found]');
    const malformed = await keysCli('revoke', 'not-a-key-id');
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain('error [api_key_not_found]');
  });

  it('an unknown key is refused with reason unknown', async () => {
    const refused = await refusal(createClient({ baseUrl: url, token: `sgk_${'A'.repeat(43)}` }).listRuns());
    expect({ status: refused.status, code: refused.code, details: refused.details }).toEqual({ status: 401, code: 'invalid_token', details: { reason: 'unknown' } });
  });
});

describe('serve() and the first key', () => {
  it('creates one key when none is active and prints it once; later starts print only how many are active', async () => {
    await database.db.pool.query('UPDATE sg_api_keys SET revoked_at = now() WHERE revoked_at IS NULL');
    const start = async () => {
      const printed: string[] = [];
      const s = await serve({ port: 0, handleSignals: false, logger: silent, print: (l) => printed.push(l), stagegraph: { database: database.db, recover: false } });
      return { s, printed: printed.join('\n') };
    };
    const first = await start();
    try {
      expect(first.s.apiKey).toMatch(/^sgk_/);
      expect(first.printed).toContain(`shown only this once (stored as a hash): ${first.s.apiKey}`);
      expect((await createClient({ baseUrl: first.s.url, token: first.s.apiKey }).workflows()).workflows.map((w) => w.id)).toContain('h2-tank');
    } finally {
      await first.s.close();
    }
    const second = await start();
    try {
      expect(second.s.apiKey).toBeUndefined();
      expect(second.printed).toContain('1 active API key  (stagegraph keys list | keys create | keys revoke <id>)');
      expect(second.printed).not.toContain('sgk_');
    } finally {
      await second.s.close();
    }
    const { rows } = await database.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM sg_api_keys WHERE revoked_at IS NULL');
    expect(rows[0]!.n).toBe(1);
  });

  it('processes starting together create one first key between them', async () => {
    await database.db.pool.query('UPDATE sg_api_keys SET revoked_at = now() WHERE revoked_at IS NULL');
    const results = await Promise.all([1, 2, 3].map(() => ensureApiKey(database.db, 'local', { name: 'first key' })));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(results.map((r) => r.active)).toEqual([1, 1, 1]);
  });
});
