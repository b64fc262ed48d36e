/** Which errors Koa reports are the client's (logged as client errors, not server errors). */
import { describe, expect, it } from 'vitest';
import { isClientsFault } from '../server/http/client-error.ts';

describe('isClientsFault', () => {
  it('a client that went away mid-response, or a 4xx it was told about, is the client\'s fault', () => {
    for (const code of ['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE', 'ERR_STREAM_DESTROYED']) {
      expect(isClientsFault(Object.assign(new Error('gone'), { code }))).toBe(true);
    }
    expect(isClientsFault(Object.assign(new Error('bad'), { status: 400, expose: true }))).toBe(true);
  });

  it('anything else is the server\'s: a 5xx, an unexposed error, a database error, a non-error', () => {
    expect(isClientsFault(Object.assign(new Error('boom'), { status: 500, expose: false }))).toBe(false);
    expect(isClientsFault(Object.assign(new Error('hidden'), { status: 404 }))).toBe(false);
    expect(isClientsFault(Object.assign(new Error('pg'), { code: '22P02' }))).toBe(false);
    expect(isClientsFault(new TypeError('bug'))).toBe(false);
    expect(isClientsFault('text')).toBe(false);
    expect(isClientsFault(null)).toBe(false);
  });
});
