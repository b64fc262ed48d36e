/** Integer apportionment by the largest-remainder (Hamilton) method: parts always add up to the total. */

/**
 * Splits `total` (a non-negative integer) in proportion to `weights`; equal shares when
 * every weight is 0. Ties go to the earlier index, so the result is deterministic.
 * @example apportion(10, [1, 1, 1]) // [4, 3, 3]
 */
export function apportion(total: number, weights: number[]): number[] {
  if (!weights.length) return [];
  const w = weights.map((x) => (Number.isFinite(x) && x > 0 ? x : 0));
  const sum = w.reduce((a, b) => a + b, 0);
  const exact = sum > 0 ? w.map((x) => (total * x) / sum) : w.map(() => total / w.length);
  const parts = exact.map(Math.floor);
  let left = total - parts.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; left > 0; k = (k + 1) % order.length, left--) parts[order[k]![1]]!++;
  return parts;
}
