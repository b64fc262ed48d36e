/**
 * API keys: random 256-bit tokens shown once, stored only as their sha-256 hash in
 * `sg_api_keys`. A key names its owner; everything the key's caller sees is scoped to
 * that owner.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Database } from '../../graph/store/database.ts';

/** Every key starts with this, so a token is recognisable as a stagegraph API key. */
export const API_KEY_PREFIX = 'sgk_';

export interface ApiKeyInfo {
  id: string;
  owner: string;
  name: string;
  createdAt: string;
}

export interface CreatedApiKey extends ApiKeyInfo {
  /** The plaintext key. It is not stored and cannot be shown again. */
  key: string;
}

export function hashKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/**
 * Creates an API key for `owner` and returns it in plaintext, once.
 * @example const { key } = await createApiKey(sg.db, 'alice'); // Authorization: Bearer <key>
 */
export async function createApiKey(db: Pick<Database, 'pool'>, owner: string, options: { name?: string } = {}): Promise<CreatedApiKey> {
  if (!owner || owner.length > 200) throw new TypeError(`createApiKey: owner must be 1-200 characters, got '${owner}'`);
  const key = API_KEY_PREFIX + randomBytes(32).toString('base64url');
  const id = randomUUID();
  const { rows } = await db.pool.query<{ created_at: Date }>(
    'INSERT INTO sg_api_keys (id, owner, name, hash) VALUES ($1, $2, $3, $4) RETURNING created_at',
    [id, owner, options.name ?? '', hashKey(key)],
  );
  return { id, owner, name: options.name ?? '', createdAt: rows[0]!.created_at.toISOString(), key };
}

/** Revokes a key; callers using it are refused once the server's key cache lapses. */
export async function revokeApiKey(db: Pick<Database, 'pool'>, id: string): Promise<boolean> {
  const { rowCount } = await db.pool.query('UPDATE sg_api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL', [id]);
  return (rowCount ?? 0) > 0;
}

/** Looks keys up by hash, caching hits for `cacheMs` (misses are not cached). */
export class ApiKeyStore {
  private readonly cache = new Map<string, { info: { id: string; owner: string }; until: number }>();

  constructor(private readonly db: Pick<Database, 'pool'>, private readonly cacheMs: number) {}

  async verify(key: string): Promise<{ id: string; owner: string } | undefined> {
    const hash = hashKey(key);
    const cacheKey = hash.toString('hex');
    const now = Date.now();
    const hit = this.cache.get(cacheKey);
    if (hit && hit.until > now) return hit.info;
    const { rows } = await this.db.pool.query<{ id: string; owner: string }>(
      'SELECT id, owner FROM sg_api_keys WHERE hash = $1 AND revoked_at IS NULL',
      [hash],
    );
    const info = rows[0];
    if (!info) {
      this.cache.delete(cacheKey);
      return undefined;
    }
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(cacheKey, { info, until: now + this.cacheMs });
    return info;
  }
}
