/**
 * docs/patterns.md's code samples are the type-checked regions of
 * test/fixtures/patterns-doc.ts (the page's import line aside), and every sample
 * workflow passes `buildWorkflow()`.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildWorkflow } from '../graph/index.ts';
import { docSamples } from './fixtures/patterns-doc.ts';

const page = readFileSync(new URL('../docs/patterns.md', import.meta.url), 'utf8');
const fixture = readFileSync(new URL('./fixtures/patterns-doc.ts', import.meta.url), 'utf8');

const blocks = [...page.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!.split('\n').filter((l) => !l.startsWith('import ')).join('\n').trim()).filter(Boolean);
const regions = [...fixture.matchAll(/ {2}\/\/ #region (\w+)\n([\s\S]*?) {2}\/\/ #endregion/g)].map((m) =>
  m[2]!.split('\n').map((l) => (l.startsWith('  ') ? l.slice(2) : l)).join('\n').trim());

describe('docs/patterns.md', () => {
  it('shows exactly the type-checked samples', () => {
    expect(blocks).toEqual(regions);
    expect(blocks).toHaveLength(6);
  });

  it('every sample workflow builds', () => {
    expect(docSamples().map((d) => buildWorkflow(d).id)).toEqual(['etl', 'ci', 'desk', 'reporting', 'release', 'triage']);
  });
});
