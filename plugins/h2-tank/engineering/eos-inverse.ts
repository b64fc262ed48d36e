/**
 * Inverse real-gas problems on the Lemmon-Huber-Leachman fit (eos.ts): pressure from
 * (T, rho) and the state from (rho, u). A lumped fast-fill model integrates mass and
 * internal energy of the gas, so it needs T (and p) back from rho and u each step.
 *
 * Method: nested Newton. The inner loop solves rho(T, p) = rho* for p at fixed T.
 * The outer loop solves u(T, p(T)) = u* for T, using the analytic isochoric slope
 * c_v = (∂u/∂T)_rho = (∂u/∂T)_p + (∂u/∂p)_T (∂p/∂T)_rho with
 * (∂p/∂T)_rho = -(∂rho/∂T)_p / (∂rho/∂p)_T (analytic derivatives of the fit).
 */
import { M_KG_PER_MOL, R_J_PER_MOL_K, stateDerivatives } from './eos.ts';

/** Relative tolerance of both Newton loops. */
const REL_TOL = 1e-12;
const MAX_ITER = 60;
/** Temperatures the Newton iterates may visit, K (the fit is published for 200-1000 K). */
const T_MIN_K = 20;
const T_MAX_K = 3000;

/** A state solved from density and internal energy. */
export interface SolvedState {
  temperatureK: number;
  pressureMPa: number;
  /** Outer Newton iterations used. */
  iterations: number;
}

function nonConvergence(what: string, a: number, b: number): RangeError {
  return new RangeError(`${what} did not converge for (${a}, ${b}) within ${MAX_ITER} iterations`);
}

/**
 * Pressure, MPa, at which hydrogen at `temperatureK` has density `densityKgM3`
 * (Newton on p, starting from the ideal-gas pressure).
 * @example pressureFromDensity(288.15, 40.17) // ≈ 70
 */
export function pressureFromDensity(temperatureK: number, densityKgM3: number): number {
  if (!(densityKgM3 > 0) || !(temperatureK > 0)) {
    throw new RangeError(`pressureFromDensity: need T > 0 and rho > 0, got T = ${temperatureK} K, rho = ${densityKgM3} kg/m3`);
  }
  let p = (densityKgM3 / M_KG_PER_MOL) * R_J_PER_MOL_K * temperatureK * 1e-6;
  for (let i = 0; i < MAX_ITER; i++) {
    const d = stateDerivatives(temperatureK, p);
    let step = (d.densityKgM3 - densityKgM3) / d.dRhoDp;
    // Keep p positive: at most halve it per step.
    if (p - step <= 0) step = p / 2;
    p -= step;
    if (Math.abs(step) <= REL_TOL * p) return p;
  }
  throw nonConvergence('pressureFromDensity', temperatureK, densityKgM3);
}

/**
 * Temperature and pressure of hydrogen with density `densityKgM3` and specific
 * internal energy `internalEnergyJPerKg` (on the reference of `specificInternalEnergy`).
 */
export function stateFromDensityAndEnergy(densityKgM3: number, internalEnergyJPerKg: number, guessK = 300): SolvedState {
  let T = Math.min(T_MAX_K, Math.max(T_MIN_K, guessK));
  for (let i = 1; i <= MAX_ITER; i++) {
    const p = pressureFromDensity(T, densityKgM3);
    const d = stateDerivatives(T, p);
    const dpdTRho = -d.dRhoDT / d.dRhoDp;
    const cv = d.dUDT + d.dUDp * dpdTRho;
    let step = (d.internalEnergyJPerKg - internalEnergyJPerKg) / cv;
    // Damp large steps: at most half the current temperature.
    if (Math.abs(step) > T / 2) step = Math.sign(step) * (T / 2);
    T = Math.min(T_MAX_K, Math.max(T_MIN_K, T - step));
    if (Math.abs(step) <= REL_TOL * T) {
      return { temperatureK: T, pressureMPa: pressureFromDensity(T, densityKgM3), iterations: i };
    }
  }
  throw nonConvergence('stateFromDensityAndEnergy', densityKgM3, internalEnergyJPerKg);
}

/**
 * Temperature, K, of hydrogen with density `densityKgM3` and specific internal
 * energy `internalEnergyJPerKg` (Newton; see {@link stateFromDensityAndEnergy}).
 * @example temperatureFromDensityAndEnergy(densityKgM3(300, 35), specificInternalEnergy(300, 35)) // ≈ 300
 */
export function temperatureFromDensityAndEnergy(densityKgM3: number, internalEnergyJPerKg: number, guessK = 300): number {
  return stateFromDensityAndEnergy(densityKgM3, internalEnergyJPerKg, guessK).temperatureK;
}
