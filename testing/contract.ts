/**
 * The stage contract: what every stage plugin must honour, as checks any test runner
 * can run (they throw `AssertionError`s). The h2-tank pack passes it for each of its
 * stages; a pack author runs it for theirs:
 *
 * (a) metadata: a kebab-case name, a semver version, a description, capabilities,
 *     zod schemas, and a policy with an estimate and a timeout above it;
 * (b) schemas round-trip: the sample input parses (also after JSON, as from a
 *     checkpoint); the output parses, is JSON-safe and survives JSON unchanged;
 * (c) the signal is honoured: an already aborted signal rejects with its reason (or a
 *     StagegraphError `aborted`);
 * (d) deterministic for a seed: the same input gives a deep-equal output;
 * (e) bad input fails the input schema, and the runtime reports `stage_input_invalid`.
 *
 * @example
 * import { stageContract } from 'stagegraph/testing';
 * describe('read-ticket', () => {
 *   for (const check of stageContract(readTicket, { input: { text: 'Login broken' } })) it(check.name, check.run);
 * });
 */
import assert from 'node:assert/strict';
import { z } from 'zod';
import { isStagegraphError } from '../nodes/errors.ts';
import { normalizePolicy } from '../nodes/policy.ts';
import { parseOrThrow } from '../nodes/stage.ts';
import type { AnyStagePlugin } from '../nodes/types.ts';
import { fakeContext, runToEnd } from './harness.ts';

export interface StageContractOptions {
  /**
   * A realistic input for the stage (what the stage before it produces), or a function
   * returning one when the checks run (e.g. a fixture traced in `beforeAll`).
   */
  input: unknown | (() => unknown);
  /** An input the schema must refuse. @default {} */
  badInput?: unknown;
  /** @default 1 */
  seed?: number;
}

export interface ContractCheck {
  /** e.g. `(b) schemas round-trip: the output is JSON-safe`. */
  name: string;
  run(): Promise<void>;
}

const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
// semver.org 2.0.0, the recommended regular expression.
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

/** Paths in `value` that do not survive JSON unchanged: non-finite numbers, undefined, non-plain objects. */
export function jsonHazards(value: unknown, path = '$', found: string[] = []): string[] {
  if (value === undefined) found.push(`${path}: undefined`);
  else if (typeof value === 'number' && !Number.isFinite(value)) found.push(`${path}: ${value}`);
  else if (typeof value === 'bigint' || typeof value === 'function' || typeof value === 'symbol') found.push(`${path}: ${typeof value}`);
  else if (Array.isArray(value)) value.forEach((v, i) => jsonHazards(v, `${path}[${i}]`, found));
  else if (typeof value === 'object' && value !== null) {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) found.push(`${path}: ${proto?.constructor?.name ?? 'exotic'} object`);
    else for (const [k, v] of Object.entries(value)) jsonHazards(v, `${path}.${k}`, found);
  }
  return found;
}

const viaJson = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** The checks for one stage; each is independent and may run in any order. */
export function stageContract(plugin: AnyStagePlugin, options: StageContractOptions): ContractCheck[] {
  const seed = options.seed ?? 1;
  const sample = () => (typeof options.input === 'function' ? (options.input as () => unknown)() : options.input);
  let first: Promise<unknown> | undefined;
  const output = () => (first ??= runToEnd(plugin, sample(), { seed }).then((r) => r.output));
  const check = (name: string, run: () => void | Promise<void>): ContractCheck => ({ name, run: async () => run() });

  return [
    check('(a) metadata: kebab-case name, semver version, description, capabilities, zod schemas', () => {
      assert.match(plugin.name, KEBAB, `name '${plugin.name}' is not kebab-case`);
      assert.match(plugin.version, SEMVER, `version '${plugin.version}' is not semver`);
      assert.ok(plugin.description.trim().length >= 10, 'the description says what the stage does (10 characters at least)');
      assert.ok(plugin.capabilities.length > 0, 'capabilities: at least one, so the registry can find the stage');
      for (const c of plugin.capabilities) assert.match(c, KEBAB, `capability '${c}' is not kebab-case`);
      assert.equal(new Set(plugin.capabilities).size, plugin.capabilities.length, 'capabilities are listed once each');
      assert.ok(plugin.input instanceof z.ZodType, 'input is a zod schema');
      assert.ok(plugin.output instanceof z.ZodType, 'output is a zod schema');
    }),
    check('(a) policy: an estimate, and a timeout above it', () => {
      assert.equal(typeof plugin.policy?.estimateMs, 'number', 'policy.estimateMs is not stated (the ETA needs it)');
      assert.equal(typeof plugin.policy?.timeoutMs, 'number', 'policy.timeoutMs is not stated');
      const policy = normalizePolicy(plugin.policy);
      assert.ok(policy.estimateMs > 0, 'policy.estimateMs > 0');
      assert.ok(policy.timeoutMs > policy.estimateMs, 'policy.timeoutMs > policy.estimateMs');
    }),
    check('(b) schemas round-trip: the input parses, also after a JSON round trip', () => {
      const parsed = plugin.input.safeParse(sample());
      assert.deepEqual(parsed.error?.issues ?? [], [], 'the sample input fails the input schema');
      assert.deepStrictEqual(plugin.input.parse(viaJson(sample())), parsed.data);
    }),
    check('(b) schemas round-trip: the output parses, is JSON-safe and survives JSON unchanged', async () => {
      const out = await output();
      assert.deepEqual(plugin.output.safeParse(out).error?.issues ?? [], []);
      assert.deepEqual(jsonHazards(out), [], 'the output holds values JSON does not keep');
      assert.deepStrictEqual(plugin.output.parse(viaJson(out)), out);
    }),
    check('(c) signal honoured: an aborted signal rejects with its reason', async () => {
      const controller = new AbortController();
      const reason = new Error(`aborted before ${plugin.name} started`);
      controller.abort(reason);
      const input = plugin.input.parse(sample());
      let error: unknown;
      try {
        await plugin.run(input, fakeContext(controller.signal, []));
      } catch (e) {
        error = e;
      }
      assert.ok(error !== undefined, 'run() resolved although its signal was aborted');
      if (error !== reason) assert.ok(isStagegraphError(error, 'aborted'), `rejected with ${String(error)} instead of the abort reason`);
    }),
    check('(d) deterministic for a seed: the same input gives a deep-equal output', async () => {
      const again = await runToEnd(plugin, sample(), { seed });
      assert.deepStrictEqual(again.output, await output());
    }),
    check('(e) bad input fails the input schema, and the runtime reports stage_input_invalid', () => {
      const bad = options.badInput ?? {};
      assert.equal(plugin.input.safeParse(bad).success, false, `the input schema accepts ${JSON.stringify(bad)}: pass a badInput it refuses`);
      let thrown: unknown;
      try {
        parseOrThrow(plugin.input, bad, plugin.name, 'input');
      } catch (e) {
        thrown = e;
      }
      assert.ok(isStagegraphError(thrown, 'stage_input_invalid'), 'parseOrThrow did not report stage_input_invalid');
    }),
  ];
}
