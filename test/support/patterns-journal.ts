/** The patterns examples pack journaling each stage's start and end to a file, as `<event> <stage> <runId>` lines. */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import type { Pack } from '../../graph/packs/index.ts';
import { patternsExamplePack } from '../../graph/patterns/index.ts';

export function journaledPatternsPack(file: string, delayMs: Record<string, number> = {}): Pack {
  return patternsExamplePack({ journal: (event, stage, runId) => appendFileSync(file, `${event} ${stage} ${runId}\n`), delayMs });
}

/** The journal's lines as `<event> <stage>`. */
export function journalLines(file: string): string[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => l.split(' ').slice(0, 2).join(' '));
}
