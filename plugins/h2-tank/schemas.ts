/**
 * The typed data that flows between the h2-tank stages. Units are in the field
 * names: MPa, mm, kg, L, C, USD. Every stage's zod input/output is built from these.
 */
import { z } from 'zod';

export const APPLICATIONS = ['automotive', 'bus', 'truck', 'rail', 'marine', 'aerospace', 'stationary', 'transport'] as const;
export const Application = z.enum(APPLICATIONS);
export type Application = z.infer<typeof Application>;

export const PRIORITIES = ['lightest', 'cheapest', 'longest-life', 'smallest'] as const;
export const Priority = z.enum(PRIORITIES);
export type Priority = z.infer<typeof Priority>;

export const STANDARDS = ['GTR13', 'UN-R134', 'EC79', 'ISO11119-3', 'ISO19881', 'SAE-J2579'] as const;
export const Standard = z.enum(STANDARDS);
export type Standard = z.infer<typeof Standard>;

export const MARKETS = ['EU', 'US', 'JP', 'CN', 'KR', 'global'] as const;
export const Market = z.enum(MARKETS);

/** Typed, validated requirements. Capacity is the H2 mass stored at NWP and 15 C. */
export const Requirements = z.object({
  pressureMPa: z.number().positive().max(200),
  /** Stored H2 at NWP and 15 C, kg (one of capacity or water volume drives sizing). */
  h2MassKg: z.number().positive().max(500).optional(),
  waterVolumeL: z.number().positive().max(100_000).optional(),
  application: Application,
  market: Market,
  temperatureC: z.object({ min: z.number(), max: z.number() }),
  envelope: z.object({ maxLengthMm: z.number().positive().optional(), maxDiameterMm: z.number().positive().optional() }),
  standards: z.array(Standard),
  priorities: z.array(Priority),
  /** Secondary gaps filled in, each stated in words. */
  assumptions: z.array(z.string()),
  /** How the request was read. */
  parsedBy: z.enum(['rules', 'rules+llm', 'structured']),
  text: z.string().optional(),
});
export type Requirements = z.infer<typeof Requirements>;

export const TANK_TYPES = ['I', 'II', 'III', 'IV'] as const;
export const TankType = z.enum(TANK_TYPES);
export type TankType = z.infer<typeof TankType>;

export const LINERS = ['HDPE', 'PA6', 'Al6061-T6', 'steel-34CrMo4'] as const;
export const FIBERS = ['T700S', 'T800S', 'T1000G', 'E-glass', 'aramid-K49'] as const;
export const Liner = z.enum(LINERS);
export const Fiber = z.enum(FIBERS);
export type Liner = z.infer<typeof Liner>;
export type Fiber = z.infer<typeof Fiber>;

/** What the decision points settled before optimisation. */
export const DesignBasis = z.object({
  requirements: Requirements,
  tankType: TankType,
  liner: Liner,
  fiber: Fiber,
  resin: z.literal('epoxy'),
  /** Minimum burst pressure / NWP required by the governing standards for this fiber. */
  burstRatio: z.number().min(1),
  standards: z.array(Standard).min(1),
  goal: z.enum(['min-mass', 'min-cost', 'balanced']),
  /** Tightened constraints from compliance loop-backs (e.g. extra burst margin). */
  tightening: z.object({ burstRatioFactor: z.number().min(1), maxGasTempC: z.number().optional() }).default({ burstRatioFactor: 1 }),
  seed: z.number().int(),
});
export type DesignBasis = z.infer<typeof DesignBasis>;

/** The design variables the optimiser searches. */
export const DesignVariables = z.object({
  /** Number of identical tanks sharing the capacity. */
  count: z.number().int().min(1).max(4),
  /** Liner inner radius of the cylinder, mm. */
  innerRadiusMm: z.number().positive(),
  /** Length of the cylindrical section, mm. */
  cylinderLengthMm: z.number().nonnegative(),
  helicalAngleDeg: z.number().min(5).max(54.7),
  linerThicknessMm: z.number().positive(),
  fiberVolumeFraction: z.number().min(0.45).max(0.7),
  /** Burst margin above the required ratio the layup is sized to (1 = exactly the ratio). */
  burstFactor: z.number().min(1).max(1.6),
});
export type DesignVariables = z.infer<typeof DesignVariables>;

/** A fully evaluated design (one tank; totals multiply by `count`). */
export const Design = z.object({
  id: z.string(),
  variables: DesignVariables,
  geometry: z.object({
    innerRadiusMm: z.number(),
    outerRadiusMm: z.number(),
    cylinderLengthMm: z.number(),
    domeHeightMm: z.number(),
    overallLengthMm: z.number(),
    polarOpeningRadiusMm: z.number(),
    waterVolumeL: z.number(),
  }),
  layup: z.object({
    helicalFiberMm: z.number(),
    hoopFiberMm: z.number(),
    compositeMm: z.number(),
    compositeDensityKgM3: z.number(),
  }),
  massKg: z.object({ liner: z.number(), composite: z.number(), total: z.number() }),
  costUsd: z.number(),
  storedH2Kg: z.number(),
  burstPressureMPa: z.number(),
  /** Predicted burst / required burst - 1. */
  safetyMargin: z.number(),
  /** System-level (all tanks) figures. */
  totals: z.object({
    waterVolumeL: z.number(),
    storedH2Kg: z.number(),
    massKg: z.number(),
    costUsd: z.number(),
    gravimetricPct: z.number(),
    volumetricKgPerL: z.number(),
  }),
});
export type Design = z.infer<typeof Design>;
