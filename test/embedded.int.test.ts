/**
 * The embedded default: without DATABASE_URL, `openDatabase({ home })` starts a real
 * PostgreSQL in `<home>/pg`, creates it on first use, applies migrations, lets a second
 * process-local open join it, and keeps data across close and reopen.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../graph/store/database.ts';
import { MIGRATIONS } from '../graph/store/migrations.ts';
import { tempHome } from './support/db.ts';

describe('embedded PostgreSQL', () => {
  let home: string;
  const saved = process.env.DATABASE_URL;
  const open: Database[] = [];

  beforeAll(async () => {
    delete process.env.DATABASE_URL;
    delete process.env.STAGEGRAPH_HOME;
    home = await tempHome();
  });

  afterAll(async () => {
    for (const db of open.reverse()) await db.close();
    await rm(home, { recursive: true, force: true });
    if (saved !== undefined) process.env.DATABASE_URL = saved;
  });

  async function openHere(): Promise<Database> {
    const db = await openDatabase({ home, max: 2 });
    open.push(db);
    return db;
  }

  let appliedAt: string;
  let firstUrl: string;

  it('starts on first use: creates the cluster and applies the migrations', async () => {
    expect(existsSync(join(home, 'pg'))).toBe(false);
    const db = await openHere();
    firstUrl = db.url;
    expect(db.kind).toBe('embedded');
    expect(existsSync(join(home, 'pg', 'PG_VERSION'))).toBe(true);
    expect(existsSync(join(home, 'pg', 'postmaster.pid'))).toBe(true);
    expect(db.url).toMatch(/^postgresql:\/\/postgres:[^@]+@127\.0\.0\.1:\d+\/stagegraph$/);

    const { rows } = await db.pool.query<{ version: number; applied_at: Date }>('SELECT version, applied_at FROM sg_migrations ORDER BY version');
    expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(rows[0]!.version).toBe(1);
    appliedAt = rows[0]!.applied_at.toISOString();
    const tables = await db.pool.query<{ t: string }>("SELECT tablename AS t FROM pg_tables WHERE tablename LIKE 'sg_%' ORDER BY 1");
    expect(tables.rows.map((r) => r.t)).toEqual(expect.arrayContaining(['sg_decisions', 'sg_events', 'sg_migrations', 'sg_runs', 'sg_stage_stats']));

    await db.pool.query(`INSERT INTO sg_runs (id, workflow_id, status, request) VALUES ('00000000-0000-4000-8000-000000000001', 'kept', 'completed', '{"n": 1}')`);
  });

  it('a second open while it runs joins the same server, and closing the joiner leaves it running', async () => {
    const joiner = await openDatabase({ home, max: 1 });
    expect(joiner.url).toBe(firstUrl);
    const { rows } = await joiner.pool.query('SELECT workflow_id FROM sg_runs');
    expect(rows).toEqual([{ workflow_id: 'kept' }]);
    await joiner.close();
    const still = await open[0]!.pool.query('SELECT count(*)::int AS n FROM sg_runs');
    expect(still.rows[0].n).toBe(1);
  });

  it('close stops the server it started', async () => {
    const db = open.pop()!;
    await db.close();
    expect(existsSync(join(home, 'pg', 'postmaster.pid'))).toBe(false);
    const client = new pg.Client({ connectionString: firstUrl, connectionTimeoutMillis: 1000 });
    await expect(client.connect()).rejects.toThrow();
    await client.end().catch(() => undefined);
  });

  it('a reopen in the same home reuses the cluster: data survives, migrations are not re-applied', async () => {
    const db = await openHere();
    expect(db.kind).toBe('embedded');
    const runs = await db.pool.query('SELECT workflow_id, request FROM sg_runs');
    expect(runs.rows).toEqual([{ workflow_id: 'kept', request: { n: 1 } }]);
    const { rows } = await db.pool.query<{ version: number; applied_at: Date }>('SELECT version, applied_at FROM sg_migrations');
    expect(rows).toHaveLength(MIGRATIONS.length);
    expect(rows[0]!.applied_at.toISOString()).toBe(appliedAt);
  });
});
