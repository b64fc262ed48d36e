/**
 * API keys: random 256-bit tokens shown once, stored only as their sha-256 hash in
 * `sg_api_keys`. A key names its owner; everything the key's caller sees is scoped to
 * that owner. Keys are created on purpose (`stagegraph keys create`, `createApiKey()`),
 * listed without their secret, and revoked; nothing mints one per start.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Database } from '../../graph/store/database.ts';

/** Every key starts with this, so a token is recognisable as a stagegraph API key. */
export const API_KEY_PREFIX = 'sgk_';

export interface ApiKeyInfo {
  id: string;
  owner: string;
  name: string;
  createdAt: string;
  /** When the key last authenticated a request (to within the server's key cache), if ever. */
  lastUsedAt?: string;
  /** When the key was revoked; revoked keys are refused. */
  revokedAt?: string;
}

export interface CreatedApiKey extends ApiKeyInfo {
  /** The plaintext key. It is not stored and cannot be shown again. */
  key: string;
}

type Db = Pick<Database, 'pool'>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function hashKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

async function insertKey(q: Pick<pg.ClientBase, 'query'>, owner: string, name: string): Promise<CreatedApiKey> {
  if (!owner || owner.length > 200) throw new TypeError(`createApiKey: owner must be 1-200 characters, got '${owner}'`);
  const key = API_KEY_PREFIX + randomBytes(32).toString('base64url');
  const id = randomUUID();
  const { rows } = await q.query<{ created_at: Date }>(
    'INSERT INTO sg_api_keys (id, owner, name, hash) VALUES ($1, $2, $3, $4) RETURNING created_at',
    [id, owner, name, hashKey(key)],
  );
  return { id, owner, name, createdAt: rows[0]!.created_at.toISOString(), key };
}

/**
 * Creates an API key for `owner` and returns it in plaintext, once.
 * @example const { key } = await createApiKey(sg.db, 'alice'); // Authorization: Bearer <key>
 */
export function createApiKey(db: Db, owner: string, options: { name?: string } = {}): Promise<CreatedApiKey> {
  return insertKey(db.pool, owner, options.name ?? '');
}

/**
 * Revokes a key. Returns false when no active key has this id. A server refuses the
 * key once its key cache lapses (`auth.keyCacheMs`).
 */
export async function revokeApiKey(db: Db, id: string): Promise<boolean> {
  if (!UUID.test(id)) return false;
  const { rowCount } = await db.pool.query('UPDATE sg_api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL', [id]);
  return (rowCount ?? 0) > 0;
}

/** Every key (never its secret), oldest first; `owner` narrows to one owner's keys. */
export async function listApiKeys(db: Db, options: { owner?: string } = {}): Promise<ApiKeyInfo[]> {
  const { rows } = await db.pool.query<{ id: string; owner: string; name: string; created_at: Date; last_used_at: Date | null; revoked_at: Date | null }>(
    `SELECT id, owner, name, created_at, last_used_at, revoked_at FROM sg_api_keys
      WHERE $1::text IS NULL OR owner = $1 ORDER BY created_at, id`,
    [options.owner ?? null],
  );
  return rows.map((r) => ({
    id: r.id, owner: r.owner, name: r.name, createdAt: r.created_at.toISOString(),
    ...(r.last_used_at ? { lastUsedAt: r.last_used_at.toISOString() } : {}),
    ...(r.revoked_at ? { revokedAt: r.revoked_at.toISOString() } : {}),
  }));
}

/**
 * The first key of a local install: creates one for `owner` only when no active key
 * exists (processes starting together create one between them). Returns the key it
 * created, if any, and how many keys are active.
 */
export async function ensureApiKey(db: Db, owner: string, options: { name?: string } = {}): Promise<{ created?: CreatedApiKey; active: number }> {
  const client = await db.pool.connect();
  try {
    await client.query('BEGIN');
    await client.query("SELECT pg_advisory_xact_lock(hashtextextended('sg:api-keys:first', 0))");
    const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM sg_api_keys WHERE revoked_at IS NULL');
    const created = rows[0]!.n === 0 ? await insertKey(client, owner, options.name ?? '') : undefined;
    await client.query('COMMIT');
    return { created, active: rows[0]!.n + (created ? 1 : 0) };
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}

/** What a presented key is: an active key's id and owner, or why it is refused. */
export type KeyVerdict = { ok: true; id: string; owner: string } | { ok: false; reason: 'unknown' | 'revoked' };

/**
 * Looks keys up by hash, caching hits for `cacheMs` (refusals are not cached). A lookup
 * that reaches the database also records the key's last use, in the same statement.
 */
export class ApiKeyStore {
  private readonly cache = new Map<string, { verdict: KeyVerdict; until: number }>();

  constructor(private readonly db: Db, private readonly cacheMs: number) {}

  async verify(key: string): Promise<KeyVerdict> {
    const hash = hashKey(key);
    const cacheKey = hash.toString('hex');
    const now = Date.now();
    const hit = this.cache.get(cacheKey);
    if (hit && hit.until > now) return hit.verdict;
    this.cache.delete(cacheKey);
    const { rows } = await this.db.pool.query<{ id: string; owner: string }>(
      'UPDATE sg_api_keys SET last_used_at = now() WHERE hash = $1 AND revoked_at IS NULL RETURNING id, owner',
      [hash],
    );
    const row = rows[0];
    if (!row) {
      const revoked = await this.db.pool.query('SELECT 1 FROM sg_api_keys WHERE hash = $1', [hash]);
      return { ok: false, reason: revoked.rowCount ? 'revoked' : 'unknown' };
    }
    const verdict: KeyVerdict = { ok: true, id: row.id, owner: row.owner };
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(cacheKey, { verdict, until: now + this.cacheMs });
    return verdict;
  }
}
