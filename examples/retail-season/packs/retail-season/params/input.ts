/**
 * The parse-season stage's input: the request's `text`, and/or any field given
 * directly (structured input, or a person's answer to a question, merged in by the
 * runtime). A field given directly wins over the text; strings are read by the same
 * rules as the text ("12 weeks", "all stores", "30 %").
 */
import { z } from 'zod';

const Text = z.union([z.string(), z.number()]);

export const ParseSeasonInput = z
  .object({
    text: z.string().optional(),
    seasonWeeks: Text.optional(),
    categories: z.union([z.string(), z.array(z.string())]).optional(),
    totalUnits: Text.optional(),
    replenishment: z.string().optional(),
    storeScope: z.union([z.string(), z.object({ clusters: z.array(z.string()).optional(), regions: z.array(z.string()).optional() })]).optional(),
    holdbackShare: Text.optional(),
    markdown: z.union([z.string(), z.object({ allowed: z.boolean().optional(), maxDepth: z.number().optional(), sellThroughTarget: z.number().optional() })]).optional(),
    segment: z.string().optional(),
    season: z.string().optional(),
  })
  .refine((i) => Object.values(i).some((v) => v !== undefined && v !== ''), { message: 'give the season request as text or as fields', path: ['text'] });
export type ParseSeasonInput = z.infer<typeof ParseSeasonInput>;

/** The input fields other than `text`. */
export const FIELD_KEYS = ['seasonWeeks', 'categories', 'totalUnits', 'replenishment', 'storeScope', 'holdbackShare', 'markdown', 'segment', 'season'] as const;
