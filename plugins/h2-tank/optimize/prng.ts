/**
 * A seeded, serialisable pseudo-random generator: xoshiro128** 1.1 (Blackman & Vigna,
 * "Scrambled linear pseudorandom number generators", ACM TOMS 47(4), 2021;
 * reference code at prng.di.unimi.it). Period 2^128 - 1, passes BigCrush.
 *
 * The whole state is four uint32 in a plain array, so it can be stored in JSON with
 * the optimiser's state and a resumed run draws exactly the numbers an uninterrupted
 * run would have drawn. Functions mutate the state array in place (no allocation).
 */

/** The generator state: four unsigned 32-bit integers, not all zero. */
export type RngState = [number, number, number, number];

/**
 * splitmix32 step (a 32-bit variant of Steele, Lea & Flood's SplitMix, as used to seed
 * xoshiro generators): spreads one seed over well-mixed words.
 */
function splitmix32(seed: number): [number, number] {
  const next = (seed + 0x9e3779b9) >>> 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return [next, (z ^ (z >>> 16)) >>> 0];
}

/**
 * A fresh generator state for an integer seed (any safe integer; negative and large
 * seeds are folded to 32 bits).
 * @example const rng = seedRng(42); nextFloat(rng); // deterministic for seed 42
 */
export function seedRng(seed: number): RngState {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seedRng: seed must be a safe integer, got ${seed}`);
  // Fold high bits in so seeds differing only above bit 31 still differ.
  let s = (seed ^ Math.floor(seed / 0x100000000)) >>> 0;
  const out: number[] = [];
  for (let i = 0; i < 4; i++) {
    const [next, word] = splitmix32(s);
    s = next;
    out.push(word);
  }
  if (!out.some((w) => w !== 0)) out[0] = 1;
  return out as RngState;
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** Next uint32 (xoshiro128**), advancing `s` in place. */
export function nextUint32(s: RngState): number {
  const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
  const t = (s[1] << 9) >>> 0;
  s[2] = (s[2] ^ s[0]) >>> 0;
  s[3] = (s[3] ^ s[1]) >>> 0;
  s[1] = (s[1] ^ s[2]) >>> 0;
  s[0] = (s[0] ^ s[3]) >>> 0;
  s[2] = (s[2] ^ t) >>> 0;
  s[3] = rotl(s[3], 11);
  return result;
}

/** Uniform float in [0, 1) with 32 bits of resolution. */
export function nextFloat(s: RngState): number {
  return nextUint32(s) / 0x100000000;
}

/** Uniform integer in [0, n) (n <= 2^32), by rejection so there is no modulo bias. */
export function nextInt(s: RngState, n: number): number {
  if (!Number.isInteger(n) || n < 1 || n > 0x100000000) throw new RangeError(`nextInt: n must be an integer in [1, 2^32], got ${n}`);
  const limit = 0x100000000 - (0x100000000 % n);
  let r = nextUint32(s);
  while (r >= limit) r = nextUint32(s);
  return r % n;
}

/** A deep copy of a state (e.g. to fork a stream). */
export function cloneRng(s: RngState): RngState {
  return [s[0], s[1], s[2], s[3]];
}

/** True when `v` is a valid serialised RngState. */
export function isRngState(v: unknown): v is RngState {
  return Array.isArray(v) && v.length === 4 && v.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff) && v.some((w) => w !== 0);
}
