/**
 * Plugin packs: `definePack()` defaults, `registerPacks()` refusals (each one line
 * naming the pack and the stage or workflow, code `invalid_pack` with a stable reason),
 * the registry's queries, the stagegraph version read from package.json, and that a
 * refused registration leaves nothing behind.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createStagegraph, definePack, registerPacks, type PackDefinition } from '../graph/index.ts';
import { stagegraphPackage, stagegraphVersion } from '../graph/packs/index.ts';
import { StagegraphError } from '../nodes/errors.ts';
import { builtinPacks, h2TankPack, h2TankWorkflow } from '../plugins/index.ts';
import { stage } from './fixtures/stages.ts';
import { sequence } from './fixtures/workflows.ts';

const manifest = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
const RUNNING = manifest.version;

/** A small pack: `a -> b` under workflow `tiny-flow`. */
function tiny(extra: Partial<PackDefinition> = {}): PackDefinition {
  return { id: 'tiny', version: '1.0.0', stagegraph: '^0.1', workflows: [sequence('tiny-flow', [stage('a'), stage('b')])], ...extra };
}

/** The StagegraphError `registerPacks(packs)` throws. */
function refusal(packs: PackDefinition[], options?: Parameters<typeof registerPacks>[1]): StagegraphError {
  try {
    registerPacks(packs, options);
  } catch (e) {
    expect(e).toBeInstanceOf(StagegraphError);
    return e as StagegraphError;
  }
  throw new Error('the packs were registered');
}

describe('definePack', () => {
  it('defaults stages and decision points to the union of its workflows', () => {
    expect(h2TankPack).toMatchObject({ id: 'h2-tank', version: '1.0.0', stagegraph: '^0.1' });
    expect(h2TankPack.stages).toEqual(h2TankWorkflow.stages);
    expect(h2TankPack.decisionPoints).toEqual(h2TankWorkflow.decisions);
    const shared = stage('a');
    const pack = definePack({ id: 'two', version: '1.0.0', stagegraph: '^0.1', workflows: [sequence('x', [shared]), sequence('y', [shared, stage('b')])] });
    expect(pack.stages.map((s) => s.name)).toEqual(['a', 'b']);
    expect(pack.decisionPoints).toEqual([]);
    expect(builtinPacks()).toEqual([h2TankPack]);
  });
});

describe('the registry', () => {
  it('answers stages by name and capability, workflows by id, and the pack of each', () => {
    const registry = registerPacks([h2TankPack, tiny()]);
    expect(registry.packs.map((p) => `${p.id}@${p.version}`)).toEqual(['h2-tank@1.0.0', 'tiny@1.0.0']);
    expect([...registry.workflows.keys()]).toEqual(['h2-tank', 'tiny-flow']);
    expect(registry.stages).toHaveLength(13);
    const optimize = registry.stage('optimize')!;
    expect(optimize.pack).toEqual({ id: 'h2-tank', version: '1.0.0' });
    expect(optimize.description).toBe(`${optimize.plugin.description} (pack h2-tank@1.0.0)`);
    expect(optimize.workflows).toEqual(['h2-tank']);
    expect(registry.byCapability('optimization').map((s) => s.name)).toEqual(['optimize']);
    expect(registry.byCapability('test').map((s) => `${s.name} ${s.pack!.id}`)).toEqual(['a tiny', 'b tiny']);
    expect(registry.byCapability('no-such-capability')).toEqual([]);
    expect(registry.packOf('optimize')).toBe(h2TankPack);
    expect(registry.packOf('h2-tank')).toBe(h2TankPack);
    expect(registry.packOf('tiny-flow')!.id).toBe('tiny');
    expect(registry.packOf('nope')).toBeUndefined();
    expect(registry.stage('nope')).toBeUndefined();
  });

  it('lets a workflow use a stage an earlier pack offers, which stays that pack\'s', () => {
    const base = tiny();
    const [a] = base.workflows[0]!.stages;
    const later = definePack({ id: 'later', version: '2.0.0', stagegraph: '^0.1', stages: [], workflows: [sequence('later-flow', [a!])] });
    const registry = registerPacks([base, later]);
    expect(registry.stage('a')).toMatchObject({ pack: { id: 'tiny', version: '1.0.0' }, workflows: ['tiny-flow', 'later-flow'] });
    expect(registry.packOf('later-flow')).toBe(later);
    // The same plugin in the later pack's default stages is no duplicate either.
    const again = definePack({ id: 'again', version: '1.0.0', stagegraph: '^0.1', workflows: [sequence('again-flow', [a!])] });
    expect(registerPacks([base, again]).stage('a')!.pack!.id).toBe('tiny');
  });

  it('lists workflows given outside any pack with pack null, one entry per name and version as before packs', () => {
    const registry = registerPacks([h2TankPack], { workflows: [sequence('one', [stage('a')]), sequence('two', [stage('a')])] });
    expect(registry.stages.filter((s) => s.name === 'a')).toEqual([expect.objectContaining({ pack: null, description: 'test stage a', workflows: ['one', 'two'] })]);
    expect(registry.packOf('one')).toBeUndefined();
    const reusing = registerPacks([h2TankPack], { workflows: [{ ...h2TankWorkflow, id: 'h2-copy' }] });
    expect(reusing.stage('optimize')!.workflows).toEqual(['h2-tank', 'h2-copy']);
    expect(reusing.stages).toHaveLength(11);
  });
});

describe('refusals', () => {
  const cases: [string, () => StagegraphError, string, Record<string, unknown>][] = [
    ['an id that is not kebab-case', () => refusal([tiny({ id: 'Tiny_Pack' })]),
      "pack 'Tiny_Pack@1.0.0': id 'Tiny_Pack' is not kebab-case (e.g. 'h2-tank')", { pack: 'Tiny_Pack@1.0.0', reason: 'invalid_id' }],
    ['a version that is not semver', () => refusal([tiny({ version: '1.0' })]),
      "pack 'tiny@1.0': version '1.0' is not a semver version (e.g. '1.0.0')", { pack: 'tiny@1.0', reason: 'invalid_version' }],
    ['a stagegraph range that is not a range', () => refusal([tiny({ stagegraph: 'banana' })]),
      "pack 'tiny@1.0.0': stagegraph range 'banana' is not a semver range (e.g. '^0.1')", { reason: 'invalid_range' }],
    ['an empty stagegraph range', () => refusal([tiny({ stagegraph: '' })]),
      "pack 'tiny@1.0.0': stagegraph range '' is not a semver range (e.g. '^0.1')", { reason: 'invalid_range' }],
    ['a range without the running stagegraph', () => refusal([tiny({ stagegraph: '^9' })]),
      `pack 'tiny@1.0.0': supports stagegraph '^9', not the running ${RUNNING}`, { reason: 'unsupported_stagegraph', running: RUNNING, range: '^9' }],
    ['a pack id registered twice', () => refusal([tiny(), tiny({ version: '1.1.0', workflows: [] })]),
      "pack 'tiny@1.1.0': pack id 'tiny' is already registered (tiny@1.0.0)", { pack: 'tiny@1.1.0', reason: 'duplicate_pack' }],
    ['two plugins under one name in a pack', () => refusal([tiny({ stages: [stage('a'), stage('a')] })]),
      "pack 'tiny@1.0.0': stage 'a' is offered twice (two plugins named 'a')", { stage: 'a', reason: 'duplicate_stage' }],
    ['a stage name another pack offers with another plugin', () => refusal([tiny(), tiny({ id: 'other', workflows: [sequence('other-flow', [stage('a')])] })]),
      "pack 'other@1.0.0': stage 'a' is already offered by pack 'tiny@1.0.0' (two plugins named 'a')", { pack: 'other@1.0.0', stage: 'a', reason: 'duplicate_stage' }],
    ['a workflow using another plugin than the pack offers under that name', () => {
      const flow = sequence('tiny-flow', [stage('a')]);
      return refusal([tiny({ stages: [stage('a')], workflows: [flow] })]);
    }, "pack 'tiny@1.0.0': workflow 'tiny-flow' uses a plugin named 'a' other than the one registered under that name", { workflow: 'tiny-flow', stage: 'a', reason: 'duplicate_stage' }],
    ['a workflow id another pack registered', () => refusal([tiny(), tiny({ id: 'other', stages: [], workflows: [sequence('tiny-flow', [])] })]),
      "pack 'other@1.0.0': workflow 'tiny-flow' is already registered by pack 'tiny@1.0.0'", { workflow: 'tiny-flow', reason: 'duplicate_workflow' }],
    ['a workflow id listed twice in a pack', () => {
      const flow = sequence('tiny-flow', [stage('a')]);
      return refusal([tiny({ workflows: [flow, flow] })]);
    }, "pack 'tiny@1.0.0': workflow 'tiny-flow' is listed twice", { workflow: 'tiny-flow', reason: 'duplicate_workflow' }],
    ['a workflow given outside the pack with the id of a pack workflow', () => refusal([tiny()], { workflows: [sequence('tiny-flow', [stage('z')])] }),
      "pack 'tiny@1.0.0': workflow 'tiny-flow' is given outside the pack too", { workflow: 'tiny-flow', reason: 'duplicate_workflow' }],
    ['a workflow whose stages do not fit', () => {
      const a = stage('a', { output: z.object({ n: z.string() }), run: async () => ({ n: 'one' }) });
      return refusal([tiny({ workflows: [sequence('bad', [a, stage('b')])] })]);
    }, "pack 'tiny@1.0.0': workflow 'bad': schema mismatch between 'a' and 'b': field 'n' is string in the output but number in the input",
    { pack: 'tiny@1.0.0', workflow: 'bad', reason: 'invalid_workflow', code: 'workflow_schema_mismatch' }],
    ['a workflow that is otherwise invalid', () => refusal([tiny({ workflows: [{ ...sequence('bad', [stage('a')]), edges: [] }] })]),
      "pack 'tiny@1.0.0': workflow 'bad': workflow 'bad' has no edge from START", { workflow: 'bad', reason: 'invalid_workflow', code: 'workflow_no_start' }],
    ['a workflow using a stage no pack offers', () => {
      const flow = sequence('tiny-flow', [stage('a'), stage('b')]);
      return refusal([tiny({ stages: [flow.stages[0]!], workflows: [flow] })]);
    }, "pack 'tiny@1.0.0': workflow 'tiny-flow' uses stage 'b', which neither this pack nor an earlier one offers", { workflow: 'tiny-flow', stage: 'b', reason: 'stage_not_offered' }],
  ];

  it.each(cases)('%s', (_, refuse, message, details) => {
    const e = refuse();
    expect(e.code).toBe('invalid_pack');
    expect(e.class).toBe('validation');
    expect(e.message).toBe(message);
    expect(e.details).toMatchObject(details);
    expect(e.message).not.toContain('\n');
  });

  it('checks the range against the given stagegraph version', () => {
    expect(refusal([tiny()], { stagegraphVersion: '0.2.0' }).message).toBe("pack 'tiny@1.0.0': supports stagegraph '^0.1', not the running 0.2.0");
    expect(registerPacks([tiny({ stagegraph: '>=0.2.0-0' })], { stagegraphVersion: '0.2.0-beta.1' }).packs).toHaveLength(1);
  });

  it('keeps the wrapped workflow error as the cause', () => {
    const e = refusal([tiny({ workflows: [{ ...sequence('bad', [stage('a')]), edges: [] }] })]);
    expect((e.cause as StagegraphError).code).toBe('workflow_no_start');
  });
});

describe('nothing is registered on failure', () => {
  it('a refused registration leaves no state behind for the next one', () => {
    const good = tiny();
    const bad = tiny({ id: 'bad', workflows: [sequence('bad-flow', [stage('x')])], stagegraph: '^9' });
    expect(refusal([good, bad]).details.pack).toBe('bad@1.0.0');
    // Had `good` stayed registered, registering it again would be a duplicate pack.
    const registry = registerPacks([good, { ...bad, stagegraph: '^0.1' }]);
    expect(registry.packs.map((p) => p.id)).toEqual(['tiny', 'bad']);
    expect(good.stages).toBeUndefined();
  });

  it('createStagegraph refuses a bad pack before it opens a database', async () => {
    const bad = definePack(tiny({ version: 'one' }));
    // Port 1 has no PostgreSQL: reaching for the database would fail with another code.
    const e = await createStagegraph({ packs: [h2TankPack, bad], databaseOptions: { url: 'postgresql://postgres@127.0.0.1:1/none' }, recover: false }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(StagegraphError);
    expect((e as StagegraphError).code).toBe('invalid_pack');
    expect((e as StagegraphError).message).toBe("pack 'tiny@one': version 'one' is not a semver version (e.g. '1.0.0')");
  });
});

describe('the running stagegraph version', () => {
  it('is the version in stagegraph\'s package.json', () => {
    expect(stagegraphVersion()).toBe(RUNNING);
    expect(stagegraphPackage().root).toBe(fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, ''));
  });

  it('is found by walking up from the compiled module, past package.json files of other names', async () => {
    const root = await mkdtemp(join(tmpdir(), 'sg-version-'));
    try {
      await writeFile(join(root, 'package.json'), JSON.stringify({ name: 'stagegraph', version: '7.6.5' }));
      await mkdir(join(root, 'dist', 'graph', 'packs'), { recursive: true });
      await writeFile(join(root, 'dist', 'package.json'), JSON.stringify({ type: 'module', name: 'not-stagegraph', version: '0.0.1' }));
      const outfile = join(root, 'dist', 'graph', 'packs', 'version.js');
      await build({ entryPoints: [new URL('../graph/packs/version.ts', import.meta.url).pathname], outfile, bundle: true, format: 'esm', platform: 'node', logLevel: 'silent' });
      const compiled = (await import(pathToFileURL(outfile).href)) as { stagegraphVersion(): string };
      expect(compiled.stagegraphVersion()).toBe('7.6.5');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
