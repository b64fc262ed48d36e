/**
 * `assertStorable()` agrees with Postgres: a generated string (any UTF-16 code units,
 * NUL and lone surrogates included) passes exactly when it comes back unchanged from a
 * `jsonb` and from a `text` column (Postgres refuses NUL in both and lone surrogates in
 * `jsonb`; the driver turns a lone surrogate in `text` into U+FFFD).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findUnstorable } from '../graph/store/storable.ts';
import { testDatabase, type TestDatabase } from './support/db.ts';

let database: TestDatabase;
beforeAll(async () => {
  database = await testDatabase({ max: 2 });
});
afterAll(async () => database?.drop());

/** Whether Postgres stores `s` unchanged in `jsonb` (as an object key and a value) and in `text`. */
async function roundTrips(s: string): Promise<boolean> {
  try {
    const { rows } = await database.db.pool.query<{ j: Record<string, string>; t: string }>('SELECT $1::jsonb AS j, $2::text AS t', [JSON.stringify({ [s]: s }), s]);
    return rows[0]!.j[s] === s && rows[0]!.t === s;
  } catch {
    return false;
  }
}

const codeUnit = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
  { weight: 2, arbitrary: fc.constantFrom(0x0000, 0xd800, 0xdbff, 0xdc00, 0xdfff, 0xfffd) },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 0xffff }) },
).map((c) => String.fromCharCode(c));
const utf16 = fc.oneof(fc.string({ unit: codeUnit, maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 12 }));

describe('assertStorable() and Postgres', () => {
  it('a string passes exactly when Postgres stores it unchanged', async () => {
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(utf16, async (s) => {
        const stored = await roundTrips(s);
        expect(findUnstorable(s, 's') === undefined, JSON.stringify(s)).toBe(stored);
        if (!stored) refused++;
      }),
      { numRuns: 400 },
    );
    expect(refused).toBeGreaterThan(20);
  });
});
