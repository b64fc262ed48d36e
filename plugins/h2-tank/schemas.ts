/**
 * The typed data that flows between the h2-tank stages. Units are in the field
 * names: MPa, mm, kg, L, C, USD. Every stage's zod input/output is built from these.
 */
import { z } from 'zod';

/**
 * What the tank is for. `industrial` is a gas cylinder or tube for industrial gas
 * supply (filled, stored and used on site or delivered as a cylinder), not a vehicle:
 * it has its own standards (ISO 9809-1 / ISO 11120 steel, ISO 11119 composite).
 */
export const APPLICATIONS = ['automotive', 'bus', 'truck', 'rail', 'marine', 'aerospace', 'stationary', 'transport', 'industrial'] as const;
export const Application = z.enum(APPLICATIONS);
export type Application = z.infer<typeof Application>;

export const PRIORITIES = ['lightest', 'cheapest', 'longest-life', 'smallest'] as const;
export const Priority = z.enum(PRIORITIES);
export type Priority = z.infer<typeof Priority>;

/**
 * Standards a design can be held to. Vehicle containers: GTR 13, UN R134, EC 79,
 * SAE J2579, ISO 19881. Transportable gas cylinders and tubes: ISO 9809-1 (seamless
 * steel cylinders, Type I), ISO 11120 (seamless steel tubes 150-3,000 L), ISO 11119-1
 * (hoop-wrapped, Type II), ISO 11119-2 (fully wrapped, load-sharing metal liner,
 * Type III), ISO 11119-3 (fully wrapped, non-load-sharing liner, Type IV) [R].
 */
export const STANDARDS = ['GTR13', 'UN-R134', 'EC79', 'ISO11119-3', 'ISO19881', 'SAE-J2579', 'ISO9809-1', 'ISO11120', 'ISO11119-1', 'ISO11119-2'] as const;
export const Standard = z.enum(STANDARDS);
export type Standard = z.infer<typeof Standard>;

export const MARKETS = ['EU', 'US', 'JP', 'CN', 'KR', 'global'] as const;
export const Market = z.enum(MARKETS);

export const TANK_TYPES = ['I', 'II', 'III', 'IV'] as const;
export const TankType = z.enum(TANK_TYPES);
export type TankType = z.infer<typeof TankType>;

export const LINERS = ['HDPE', 'PA6', 'Al6061-T6', 'steel-34CrMo4'] as const;
export const FIBERS = ['T700S', 'T800S', 'T1000G', 'E-glass', 'aramid-K49'] as const;
export const Liner = z.enum(LINERS);
export const Fiber = z.enum(FIBERS);
export type Liner = z.infer<typeof Liner>;
export type Fiber = z.infer<typeof Fiber>;

/** Something the requester named outright, with their words (quoted in the decision that it binds). */
export const StatedChoice = <T extends z.ZodType>(value: T) =>
  z.object({
    value,
    /** The requester's words, e.g. "Type III" or "steel". */
    words: z.string(),
    /** True when a person confirmed it in answer to a question (a safety rule disagreed). */
    confirmed: z.boolean().optional(),
  });

/**
 * What the request named outright and so binds the design: the tank type, the liner and
 * fiber materials, the application. The decision points take these as rules of the
 * highest priority (`method: rule`, evidence: the requester's words). Named standards
 * are in `Requirements.standards`.
 */
export const StatedChoices = z.object({
  tankType: StatedChoice(TankType).optional(),
  liner: StatedChoice(Liner).optional(),
  /** A fiber grade, or `carbon` when only the family was named. `none` for an unwrapped (all-metal) vessel. */
  fiber: StatedChoice(z.enum([...FIBERS, 'carbon', 'none'])).optional(),
  application: StatedChoice(z.enum(APPLICATIONS)).optional(),
});
export type StatedChoices = z.infer<typeof StatedChoices>;

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
  /** What the requester named outright (type, materials, application): binding on the decisions. */
  stated: StatedChoices.optional(),
  /** How the request was read. */
  parsedBy: z.enum(['rules', 'rules+llm', 'structured']),
  text: z.string().optional(),
});
export type Requirements = z.infer<typeof Requirements>;

/** The fiber of a design basis: a grade, or `none` for an unwrapped all-metal (Type I) vessel. */
export const BasisFiber = z.enum([...FIBERS, 'none']);
export type BasisFiber = z.infer<typeof BasisFiber>;

/**
 * Where the tanks must fit and how many may share the capacity (engineering/packaging.ts):
 * the request's own limits, else the default envelope of the application, stated in `note`.
 */
export const Packaging = z.object({
  /** Largest outer diameter of one tank, mm (null: no limit). */
  maxDiameterMm: z.number().positive().nullable(),
  /** Largest overall length of one tank, mm (null: no limit). */
  maxLengthMm: z.number().positive().nullable(),
  minCount: z.number().int().min(1),
  maxCount: z.number().int().min(1),
  /** `request`: both limits stated; `default`: both from the application table; `mixed`: one of each. */
  source: z.enum(['request', 'default', 'mixed']),
  /** The assumption sentence, with its basis. */
  note: z.string(),
});
export type Packaging = z.infer<typeof Packaging>;

/** What the decision points settled before optimisation. */
export const DesignBasis = z.object({
  requirements: Requirements,
  tankType: TankType,
  liner: Liner,
  fiber: BasisFiber,
  resin: z.literal('epoxy'),
  /** Minimum burst pressure / NWP required by the governing standards for this fiber. */
  burstRatio: z.number().min(1),
  standards: z.array(Standard).min(1),
  goal: z.enum(['min-mass', 'min-cost', 'balanced']),
  /** Tightened constraints from compliance loop-backs (e.g. extra burst margin). */
  tightening: z.object({ burstRatioFactor: z.number().min(1), maxGasTempC: z.number().optional() }).default({ burstRatioFactor: 1 }),
  seed: z.number().int(),
  /** Envelope and tank-count range (absent: derived from the requirements, engineering/packaging.ts). */
  packaging: Packaging.optional(),
  /** Fiber grades the optimiser may choose between, the decided one first (absent: only `fiber`). */
  fiberOptions: z.array(Fiber).min(1).optional(),
  /** Liners the optimiser may choose between, the decided one first (absent: only `liner`). */
  linerOptions: z.array(Liner).min(1).optional(),
});
export type DesignBasis = z.infer<typeof DesignBasis>;

/** The design variables the optimiser searches. */
export const DesignVariables = z.object({
  /** Number of identical tanks sharing the capacity. */
  count: z.number().int().min(1).max(40),
  /** Liner inner radius of the cylinder, mm. */
  innerRadiusMm: z.number().positive(),
  /** Length of the cylindrical section, mm. */
  cylinderLengthMm: z.number().nonnegative(),
  helicalAngleDeg: z.number().min(5).max(54.7),
  linerThicknessMm: z.number().positive(),
  fiberVolumeFraction: z.number().min(0.45).max(0.7),
  /** Burst margin above the required ratio the layup is sized to (1 = exactly the ratio). */
  burstFactor: z.number().min(1).max(1.6),
  /** Fiber grade of this design (absent: the basis's `fiber`). */
  fiber: Fiber.optional(),
  /** Liner of this design (absent: the basis's `liner`). */
  liner: Liner.optional(),
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
  /**
   * One tank, kg. `total` = liner + composite + bosses + protection + domeCaps (the
   * tank as delivered, no valves). The three last parts are absent in designs made
   * before the knock-downs (engineering/knockdowns.ts).
   */
  massKg: z.object({
    liner: z.number(),
    composite: z.number(),
    total: z.number(),
    /** Both polar bosses. */
    bosses: z.number().optional(),
    /** Protective outer (glass/epoxy) layer. */
    protection: z.number().optional(),
    /** Foam / impact caps over both domes. */
    domeCaps: z.number().optional(),
  }),
  /** One tank as delivered (materials, processing, fixed per-tank cost), USD; no valves. */
  costUsd: z.number(),
  storedH2Kg: z.number(),
  burstPressureMPa: z.number(),
  /** Predicted burst / required burst - 1. */
  safetyMargin: z.number(),
  /**
   * All tanks, TANKS ONLY: `massKg`, `costUsd` and `gravimetricPct` (H2 / tank mass) count
   * the tanks as delivered and nothing else. System figures (with valves and fittings)
   * are in `system`; never mix the two.
   */
  totals: z.object({
    waterVolumeL: z.number(),
    storedH2Kg: z.number(),
    massKg: z.number(),
    costUsd: z.number(),
    gravimetricPct: z.number(),
    volumetricKgPerL: z.number(),
    /** The storage system: tanks + valves and fittings of every tank (engineering/knockdowns.ts). */
    system: z.object({
      massKg: z.number(),
      costUsd: z.number(),
      /** H2 / system mass, %. */
      gravimetricPct: z.number(),
      valvesKgPerTank: z.number(),
      valvesUsdPerTank: z.number(),
    }).optional(),
  }),
  /** The fiber and liner of this design (they may differ from the basis's when the optimiser chose a grade). */
  materials: z.object({ fiber: BasisFiber, liner: Liner }).optional(),
  /** How the tanks pack: each tank's bounding box (OD x OD x packaged length), summed. */
  packaging: z.object({
    /** Length one tank takes in the envelope: overall length + boss necks, mm. */
    lengthMm: z.number(),
    /** Sum over tanks of OD^2 x packaged length, L. */
    envelopeL: z.number(),
    /** Stored H2 / envelopeL, kg/L. */
    h2KgPerEnvelopeL: z.number(),
    /** Every tank within the packaging limits of the basis. */
    fits: z.boolean(),
  }).optional(),
  /**
   * The knock-downs and allowances this design was sized with, one row each, for the
   * report's table: `{ id, label, value, unit?, source }` (engineering/knockdowns.ts).
   * Filled in on the designs the front lists (evaluate-front), not on every optimiser sample.
   */
  assumptions: z.array(z.object({
    id: z.string(),
    label: z.string(),
    value: z.union([z.number(), z.string()]),
    unit: z.string().optional(),
    source: z.string(),
  })).optional(),
});
export type Design = z.infer<typeof Design>;
