/**
 * Who is calling: turns the bearer token of a request (or of a WebSocket upgrade)
 * into a principal, whose `owner` scopes every run, event, checkpoint, decision and
 * artifact the caller can see.
 */
import type { IncomingMessage } from 'node:http';
import { errors as joseErrors, jwtVerify } from 'jose';
import type { Database } from '../../graph/store/database.ts';
import { findUnstorable } from '../../graph/store/storable.ts';
import { clientError } from '../errors.ts';
import type { NormalizedAuth } from '../options.ts';
import { API_KEY_PREFIX, ApiKeyStore } from './api-keys.ts';

export interface Principal {
  owner: string;
  /** What rate limits are counted against: the key id, the JWT subject, or the local owner. */
  subject: string;
  via: 'none' | 'api_key' | 'jwt';
}

export interface Authenticator {
  /** @throws StagegraphError `unauthenticated` (no token) or `invalid_token`. */
  authenticate(token: string | undefined): Promise<Principal>;
}

const HINT = 'send Authorization: Bearer <API key or JWT> (WebSocket: ?token=<token>)';

/** The bearer token of a request: the Authorization header, else `?token=` when allowed (WebSocket upgrades). */
export function bearerToken(req: IncomingMessage, allowQuery: boolean): string | undefined {
  const header = req.headers.authorization;
  if (header) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return m ? m[1] : '';
  }
  if (!allowQuery) return undefined;
  const q = new URL(req.url ?? '/', 'http://x').searchParams.get('token');
  return q ?? undefined;
}

export function createAuthenticator(auth: NormalizedAuth, db: Pick<Database, 'pool'>): Authenticator {
  if (auth.mode === 'none') {
    const principal: Principal = { owner: auth.owner, subject: `local:${auth.owner}`, via: 'none' };
    return { authenticate: async () => principal };
  }
  const keys = auth.apiKeys ? new ApiKeyStore(db, auth.keyCacheMs) : undefined;
  const jwt = auth.jwt;
  return {
    async authenticate(token) {
      if (token === undefined) throw clientError('unauthenticated', 'authentication required', {}, HINT);
      if (!token || token.length > 4096) throw clientError('invalid_token', 'malformed bearer token', {}, HINT);
      if (keys && token.startsWith(API_KEY_PREFIX)) {
        const key = await keys.verify(token);
        if (!key.ok) throw clientError('invalid_token', key.reason === 'revoked' ? 'this API key was revoked' : 'unknown API key', { reason: key.reason }, HINT);
        return { owner: key.owner, subject: `key:${key.id}`, via: 'api_key' };
      }
      if (jwt && token.split('.').length === 3) {
        try {
          const { payload } = await jwtVerify(token, jwt.secret, { algorithms: ['HS256'], issuer: jwt.issuer, audience: jwt.audience, clockTolerance: 5 });
          if (typeof payload.sub !== 'string' || !payload.sub) throw clientError('invalid_token', 'JWT has no subject (sub)', {}, HINT);
          // The subject becomes the owner stored with every run; one Postgres cannot store is no identity.
          if (findUnstorable(payload.sub, 'sub')) throw clientError('invalid_token', 'JWT subject (sub) holds a NUL or a lone surrogate', {}, HINT);
          return { owner: payload.sub, subject: `jwt:${payload.sub}`, via: 'jwt' };
        } catch (e) {
          if (e instanceof joseErrors.JOSEError) throw clientError('invalid_token', `JWT rejected: ${e.code}`, { reason: e.code }, HINT);
          throw e;
        }
      }
      throw clientError('invalid_token', 'unrecognised bearer token', {}, HINT);
    },
  };
}
