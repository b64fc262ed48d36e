/**
 * What a template uses of the coordination patterns (`graph/patterns/catalogue.ts`): a
 * block schema to check a template's `patterns[i]` against, `expand()` into stages,
 * decision points and edges, and `entryOf()`: where edges into a block go.
 */
export { PATTERNS, entryOf, patternOf } from '../patterns/catalogue.ts';
export type { PatternId, PatternLookup, PatternSpec } from '../patterns/catalogue.ts';
