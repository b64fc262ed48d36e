/**
 * `assertStorable()`: every string Postgres can store passes, wherever it sits; a NUL or
 * a lone surrogate anywhere (values and object keys, at any depth) is refused with
 * `invalid_input`, the field path and the index of the offending code unit.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertStorable, findUnstorable } from '../graph/store/storable.ts';
import { StagegraphError } from '../nodes/errors.ts';

/** Well-formed text without NUL: what Postgres stores. */
const good = fc.string({ unit: 'binary', maxLength: 30 }).map((s) => s.replaceAll('\u0000', ''));
const highSurrogate = fc.integer({ min: 0xd800, max: 0xdbff }).map((c) => String.fromCharCode(c));
const lowSurrogate = fc.integer({ min: 0xdc00, max: 0xdfff }).map((c) => String.fromCharCode(c));
const bad = fc.oneof(fc.constant('\u0000'), highSurrogate, lowSurrogate);
const goodJson = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, good, fc.integer(), fc.boolean(), fc.constant(null), fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(good, tie('value'), { maxKeys: 4 })),
})).value;

function refusal(value: unknown, what: string): StagegraphError {
  try {
    assertStorable(value, what);
  } catch (e) {
    expect(e).toBeInstanceOf(StagegraphError);
    return e as StagegraphError;
  }
  throw new Error('assertStorable did not throw');
}

describe('assertStorable()', () => {
  it('passes every JSON value whose strings are well-formed and free of NUL', () => {
    fc.assert(fc.property(goodJson, (v) => assertStorable(v, 'request')), { numRuns: 300 });
  });

  it('passes surrogate pairs (astral characters) and U+FFFD', () => {
    expect(() => assertStorable({ emoji: '💥 tank 𝄞', replacement: '\uFFFD', pair: '\uD83D\uDCA5' }, 'request')).not.toThrow();
  });

  it('refuses a NUL or a lone surrogate in a string value, naming the field and the index', () => {
    fc.assert(
      fc.property(good, bad, good, fc.nat({ max: 3 }), (before, b, after, i) => {
        const items: unknown[] = ['ok', 'ok', 'ok', 'ok'];
        items[i] = { text: before + b + after };
        const e = refusal({ request: { items }, n: 1 }, 'body');
        expect(e.code).toBe('invalid_input');
        expect(e.class).toBe('validation');
        expect(e.details).toMatchObject({ field: `body.request.items[${i}].text`, index: before.length, inKey: false, reason: b === '\u0000' ? 'nul' : 'lone_surrogate' });
        expect(e.message.startsWith(`body.request.items[${i}].text: `)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a NUL or a lone surrogate in an object key, with a path that is itself storable', () => {
    fc.assert(
      fc.property(good, bad, good, (before, b, after) => {
        const key = before + b + after;
        const e = refusal({ nested: { [key]: 'value' } }, 'request');
        expect(e.code).toBe('invalid_input');
        expect(e.details).toMatchObject({ field: `request.nested[${JSON.stringify(key)}]`, index: before.length, inKey: true });
        expect(findUnstorable(e.details.field, 'field')).toBeUndefined();
        expect(findUnstorable(e.message, 'message')).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it('names each kind exactly', () => {
    expect(refusal('tank \udc8c', 'request').details).toEqual({ field: 'request', reason: 'lone_surrogate', index: 5, codeUnit: 'U+DC8C', inKey: false });
    expect(refusal('a\ud800', 'request').details).toEqual({ field: 'request', reason: 'lone_surrogate', index: 1, codeUnit: 'U+D800', inKey: false });
    expect(refusal(['x', 'a\u0000b'], 'request').details).toEqual({ field: 'request[1]', reason: 'nul', index: 1, codeUnit: 'U+0000', inKey: false });
    expect(refusal({ a: 'tank \udc8c' }, 'request').message).toBe('request.a: a lone UTF-16 surrogate (U+DC8C) at index 5; it cannot be stored');
  });

  it('reports the first offending string in document order', () => {
    expect(refusal({ a: ['fine', 'x\u0000'], b: '\udc00' }, 'v').details.field).toBe('v.a[1]');
  });

  it('walks what JSON.stringify would write: toJSON results, and each object once', () => {
    const cyclic: Record<string, unknown> = { ok: 'fine' };
    cyclic.self = cyclic;
    expect(() => assertStorable(cyclic, 'v')).not.toThrow();
    expect(refusal({ when: { toJSON: () => 'bad\u0000' } }, 'v').details.field).toBe('v.when');
    expect(() => assertStorable({ d: new Date(0), bytes: new Uint8Array([0, 1]), n: 0, f: () => 'x' }, 'v')).not.toThrow();
  });

  it('handles nesting deeper than the call stack', () => {
    let deep: unknown = 'bottom\u0000';
    for (let i = 0; i < 200_000; i++) deep = [deep];
    const e = refusal(deep, 'v');
    expect(e.details.reason).toBe('nul');
    expect(String(e.details.field)).toMatch(/^v\[0\]\[0\].*….*\[0\]$/);
    expect(String(e.details.field).length).toBe(256);
  });
});
