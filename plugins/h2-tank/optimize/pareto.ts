/**
 * Pareto machinery of NSGA-II (Deb et al. 2002, IEEE TEC 6(2):182-197): Deb's
 * constraint-domination, fast non-dominated sorting, crowding distance and the
 * archive of feasible non-dominated solutions. All objectives are minimised.
 */
import type { Individual } from './nsga2.ts';

/**
 * Constraint-domination (Deb 2000, CMAME 186:311): a feasible solution dominates an
 * infeasible one; of two infeasible ones the smaller violation dominates; of two
 * feasible ones, Pareto dominance.
 */
export function constrainedDominates(a: Individual, b: Individual): boolean {
  if (a.cv > 0 || b.cv > 0) {
    if (a.cv === 0) return true;
    if (b.cv === 0) return false;
    return a.cv < b.cv;
  }
  return paretoDominates(a.f, b.f);
}

/** Pareto dominance of objective vectors (minimisation). */
export function paretoDominates(a: readonly number[], b: readonly number[]): boolean {
  let strictly = false;
  for (let m = 0; m < a.length; m++) {
    if (a[m] > b[m]) return false;
    if (a[m] < b[m]) strictly = true;
  }
  return strictly;
}

/**
 * Non-dominated sort under constraint-domination: fronts of indices into `pop`, front
 * 0 first, indices ascending within a front (deterministic). Two objectives use the
 * O(N log N) sweep of {@link nonDominatedFronts2D}; more use Deb's O(M N^2) sort.
 */
export function nonDominatedFronts(pop: readonly Individual[]): number[][] {
  return pop.length > 0 && pop[0].f.length === 2 ? nonDominatedFronts2D(pop) : fastNonDominatedSort(pop);
}

/** Infeasible members grouped into fronts by equal violation, smallest first (Deb 2000). */
function infeasibleFronts(pop: readonly Individual[], infeasible: number[]): number[][] {
  infeasible.sort((a, b) => pop[a].cv - pop[b].cv || a - b);
  const fronts: number[][] = [];
  for (let k = 0; k < infeasible.length; k++) {
    const i = infeasible[k];
    if (k > 0 && pop[infeasible[k - 1]].cv === pop[i].cv) fronts[fronts.length - 1].push(i);
    else fronts.push([i]);
  }
  for (const front of fronts) front.sort((a, b) => a - b);
  return fronts;
}

/**
 * Bi-objective non-dominated sort in O(N log N) (Jensen, IEEE TEC 7(5):503, 2003; the
 * binary-search form of ENS, Zhang et al., IEEE TEC 19(2):201, 2015). Feasible members
 * are swept in lexicographic (f0, f1) order; a member joins the first front whose
 * last-added member does not dominate it. That last member has the front's smallest f1,
 * so it alone decides, and "dominated by front k" is monotone in k (binary search).
 */
export function nonDominatedFronts2D(pop: readonly Individual[]): number[][] {
  const feasible: number[] = [];
  const infeasible: number[] = [];
  for (let i = 0; i < pop.length; i++) (pop[i].cv === 0 ? feasible : infeasible).push(i);
  feasible.sort((a, b) => pop[a].f[0] - pop[b].f[0] || pop[a].f[1] - pop[b].f[1] || a - b);
  const fronts: number[][] = [];
  const last: number[] = []; // index of the last member added to each front
  for (const p of feasible) {
    const p0 = pop[p].f[0];
    const p1 = pop[p].f[1];
    let lo = 0;
    let hi = fronts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const l = pop[last[mid]].f;
      const dominated = l[1] < p1 || (l[1] === p1 && l[0] < p0);
      if (dominated) lo = mid + 1;
      else hi = mid;
    }
    if (lo === fronts.length) fronts.push([]);
    fronts[lo].push(p);
    last[lo] = p;
  }
  for (const front of fronts) front.sort((a, b) => a - b);
  return fronts.concat(infeasibleFronts(pop, infeasible));
}

/**
 * Deb's fast non-dominated sort under constraint-domination, O(M N^2) (Deb et al.
 * 2002, section III-A), on flat typed arrays. Any number of objectives.
 */
export function fastNonDominatedSort(pop: readonly Individual[]): number[][] {
  const n = pop.length;
  const m = n > 0 ? pop[0].f.length : 0;
  const f = new Float64Array(n * m);
  const cv = new Float64Array(n);
  for (let p = 0; p < n; p++) {
    cv[p] = pop[p].cv;
    for (let k = 0; k < m; k++) f[p * m + k] = pop[p].f[k];
  }
  const dominatedBy = new Int32Array(n); // n_p: how many dominate p
  const dominatesCount = new Int32Array(n);
  const dominatesList = new Int32Array(n * n); // S_p, row p
  for (let p = 0; p < n; p++) {
    for (let q = p + 1; q < n; q++) {
      // +1: p dominates q; -1: q dominates p; 0: neither (constraint-domination, Deb 2000).
      let d = 0;
      if (cv[p] > 0 || cv[q] > 0) {
        if (cv[p] === 0) d = 1;
        else if (cv[q] === 0) d = -1;
        else d = cv[p] < cv[q] ? 1 : cv[q] < cv[p] ? -1 : 0;
      } else {
        let pBetter = false;
        let qBetter = false;
        for (let k = 0; k < m; k++) {
          const a = f[p * m + k];
          const b = f[q * m + k];
          if (a < b) pBetter = true;
          else if (b < a) qBetter = true;
        }
        d = pBetter && !qBetter ? 1 : qBetter && !pBetter ? -1 : 0;
      }
      if (d === 1) {
        dominatesList[p * n + dominatesCount[p]++] = q;
        dominatedBy[q]++;
      } else if (d === -1) {
        dominatesList[q * n + dominatesCount[q]++] = p;
        dominatedBy[p]++;
      }
    }
  }
  const fronts: number[][] = [];
  let current: number[] = [];
  for (let p = 0; p < n; p++) if (dominatedBy[p] === 0) current.push(p);
  while (current.length > 0) {
    fronts.push(current);
    const next: number[] = [];
    for (const p of current) {
      for (let j = 0; j < dominatesCount[p]; j++) {
        const q = dominatesList[p * n + j];
        if (--dominatedBy[q] === 0) next.push(q);
      }
    }
    next.sort((a, b) => a - b);
    current = next;
  }
  return fronts;
}

/**
 * Crowding distance of the members of one front (Deb et al. 2002, section III-B),
 * written into `out` at the members' indices: the sum over objectives of the
 * normalised gap between the two neighbours; the boundary members get Infinity.
 */
export function crowdingDistances(pop: readonly Individual[], front: readonly number[], out: Float64Array): void {
  for (const i of front) out[i] = 0;
  if (front.length <= 2) {
    for (const i of front) out[i] = Infinity;
    return;
  }
  const objectives = pop[front[0]].f.length;
  const order = [...front];
  for (let m = 0; m < objectives; m++) {
    order.sort((a, b) => pop[a].f[m] - pop[b].f[m] || a - b);
    const lo = pop[order[0]].f[m];
    const hi = pop[order[order.length - 1]].f[m];
    out[order[0]] = Infinity;
    out[order[order.length - 1]] = Infinity;
    if (hi === lo) continue;
    for (let k = 1; k < order.length - 1; k++) {
      out[order[k]] += (pop[order[k + 1]].f[m] - pop[order[k - 1]].f[m]) / (hi - lo);
    }
  }
}

/** Strictly non-dominated, objective-unique members of a feasible set (2-objective sweep or O(n^2)). */
function nonDominatedUnique(set: Individual[]): Individual[] {
  if (set.length === 0) return set;
  if (set[0].f.length === 2) {
    const sorted = [...set].sort((a, b) => a.f[0] - b.f[0] || a.f[1] - b.f[1]);
    const kept: Individual[] = [];
    let best = Infinity;
    for (const s of sorted) {
      if (s.f[1] < best) {
        kept.push(s);
        best = s.f[1];
      }
    }
    return kept;
  }
  const kept: Individual[] = [];
  for (let i = 0; i < set.length; i++) {
    let keep = true;
    for (let j = 0; j < set.length && keep; j++) {
      if (j === i) continue;
      if (paretoDominates(set[j].f, set[i].f)) keep = false;
      else if (j < i && set[j].f.every((v, m) => v === set[i].f[m])) keep = false;
    }
    if (keep) kept.push(set[i]);
  }
  return kept;
}

/**
 * The archive after seeing `candidates`: the feasible, strictly non-dominated,
 * objective-unique solutions of archive ∪ candidates, truncated to `cap` by
 * crowding distance (the most crowded dropped first).
 */
export function updateArchive(archive: readonly Individual[], candidates: readonly Individual[], cap: number): Individual[] {
  const merged = archive.concat(candidates.filter((c) => c.cv === 0));
  const front = nonDominatedUnique(merged);
  if (front.length <= cap) return front;
  const crowding = new Float64Array(front.length);
  const all = front.map((_, i) => i);
  crowdingDistances(front, all, crowding);
  all.sort((a, b) => crowding[b] - crowding[a] || a - b);
  const keep = new Set(all.slice(0, cap));
  return front.filter((_, i) => keep.has(i));
}
