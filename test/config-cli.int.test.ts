/**
 * The project config as the CLI reads it, in real processes: found from the working
 * directory or named by `--config`, its packs run; a pack refused at start (a range
 * that excludes this stagegraph, a duplicate stage name, schemas that do not fit)
 * stops the command with one line naming the pack and the stage, before anything
 * starts; a bad config or bad usage exits 2.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabase, type TestDatabase } from './support/db.ts';
import { stagegraphDone } from './support/processes.ts';

const PROJECTS = fileURLToPath(new URL('./fixtures/projects/', import.meta.url));
const OK = `${PROJECTS}ok`;
const BAD = `${PROJECTS}bad`;

let t: TestDatabase;
beforeAll(async () => {
  t = await testDatabase();
});
afterAll(() => t?.drop());

/** The error lines a refused command printed (the message, and a hint when there is one). */
const errorLines = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('error ['));

describe('a project config', () => {
  it('found from the working directory: its pack runs, with its decision explained', async () => {
    const r = await stagegraphDone(['run', 'four words of text'], t.childEnv, { cwd: OK });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('◆ length -> count (rule');
    expect(r.stdout).toContain('status: completed');
  });

  it('named by --config from elsewhere; the run lands in the same database', async () => {
    const r = await stagegraphDone(['--config', `${OK}/stagegraph.config.ts`, 'runs'], t.childEnv);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/completed\s+100%\s+echo/);
  });

  it('a workflow the packs do not offer is refused with the list of those they do', async () => {
    const r = await stagegraphDone(['run', '--workflow', 'h2-tank', 'x'], t.childEnv, { cwd: OK });
    expect(r.code).toBe(2);
    expect(errorLines(r.stderr)).toEqual(["error [workflow_not_found]: workflow 'h2-tank' is not registered (registered: echo)"]);
  });
});

describe('a pack refused at start: one line naming the pack and the stage, nothing starts', () => {
  const cases = [
    ['range.config.ts', /^error \[invalid_pack\]: pack 'future@2\.0\.0': supports stagegraph '\^9\.0\.0', not the running 0\.\d+\.\d+/],
    ['duplicate.config.ts', /^error \[invalid_pack\]: pack 'twin@1\.0\.0': .*stage 'upper'/],
    ['mismatch.config.ts', /^error \[invalid_pack\]: pack 'mismatch@1\.0\.0': .*'shout'/],
  ] as const;

  it.each(cases)('%s: serve exits 2 without listening', async (file, line) => {
    const r = await stagegraphDone(['--config', `${BAD}/${file}`, 'serve', '--port', '0'], t.childEnv);
    expect(r.code).toBe(2);
    expect(errorLines(r.stderr)[0]).toMatch(line);
    expect(r.stdout).not.toContain('listening');
  });

  it.each(cases)('%s: run exits 2 and starts no run', async (file, line) => {
    const before = await t.db.pool.query('SELECT count(*)::int AS n FROM sg_runs');
    const r = await stagegraphDone(['--config', `${BAD}/${file}`, 'run', 'some text here'], t.childEnv);
    expect(r.code).toBe(2);
    expect(errorLines(r.stderr)[0]).toMatch(line);
    const after = await t.db.pool.query('SELECT count(*)::int AS n FROM sg_runs');
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });
});

describe('bad config and bad usage exit 2 with the reason', () => {
  it('a --config file that does not exist', async () => {
    const r = await stagegraphDone(['--config', 'nowhere.config.ts', 'runs'], t.childEnv);
    expect(r.code).toBe(2);
    expect(errorLines(r.stderr)).toEqual(['error [config_not_found]: config file not found: nowhere.config.ts']);
  });

  it('a config without packs', async () => {
    const r = await stagegraphDone(['--config', `${BAD}/empty.config.mjs`, 'runs'], t.childEnv);
    expect(r.code).toBe(2);
    expect(errorLines(r.stderr)[0]).toMatch(/^error \[invalid_config\]: .*empty\.config\.mjs: `packs` must be a non-empty array/);
  });

  it('a config with a misspelt setting', async () => {
    const r = await stagegraphDone(['--config', `${BAD}/unknown.config.mjs`, 'runs'], t.childEnv);
    expect(r.code).toBe(2);
    expect(errorLines(r.stderr)[0]).toMatch(/unknown setting: servr/);
  });

  it.each([
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['show'], /missing required argument 'id'/],
    [['runs', '--bogus'], /unknown option '--bogus'/],
  ])('stagegraph %j', async (args, message) => {
    const r = await stagegraphDone(args, t.childEnv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('--help is not an error', async () => {
    const r = await stagegraphDone(['--help'], t.childEnv);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--config <file>');
  });
});
