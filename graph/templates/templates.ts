/**
 * Workflow templates as a service: create (checked against the registry at once, then
 * stored as the next version), list, and resolve `id@version` into a compiled workflow
 * in any process from the database. A version never changes once written, so a
 * compiled version is cached for good; a run pins the version it started with
 * (`options.templateVersion`), whichever process executes it later.
 */
import { StagegraphError } from '../../nodes/errors.ts';
import type { BuiltWorkflow, CompiledWorkflow } from '../compile.ts';
import type { DecisionPoint } from '../decisions/types.ts';
import type { RegisteredWorkflow, WorkflowSource } from '../runs/executor.ts';
import { compileTemplate, registeredPoints, type CompiledTemplate, type TemplateContext } from './compile.ts';
import type { TemplateRecord, TemplateStore } from './store.ts';

export interface TemplatesOptions extends TemplateContext {
  /** Compiles a built workflow into the graph runs execute (with the runtime's checkpointer). */
  compile: (built: BuiltWorkflow) => CompiledWorkflow;
  /** Compiled versions kept in memory. @default 200 */
  cacheSize?: number;
}

/** A template's latest version, compiled, with the numbers of all its versions. */
export interface TemplateEntry {
  record: TemplateRecord;
  versions: number[];
  workflow: RegisteredWorkflow;
}

export class Templates implements WorkflowSource {
  private readonly cache = new Map<string, RegisteredWorkflow>();
  private readonly known = new Set<string>();
  private readonly points: Map<string, DecisionPoint>;

  constructor(readonly store: TemplateStore, private readonly options: TemplatesOptions) {
    this.points = registeredPoints(options.registry);
  }

  /**
   * Checks a template against the registry without storing it.
   * @throws StagegraphError `invalid_template` naming the place at fault (`details.path`).
   */
  check(body: unknown): CompiledTemplate {
    return compileTemplate(body, this.options);
  }

  /**
   * Checks `body` and stores it as the next version of its id (1 for a new id).
   * @throws StagegraphError `invalid_template`; nothing is stored.
   * @example const { record } = await templates.create({ id: 'greet', ... }, 'alice'); // record.version === 1
   */
  async create(body: unknown, owner: string): Promise<{ record: TemplateRecord; workflow: RegisteredWorkflow }> {
    const { template, built } = this.check(body);
    const record = await this.store.insert(template.id, owner, template);
    this.known.add(record.id);
    return { record, workflow: this.remember(record, built) };
  }

  /** Template `id` at `version` (its latest when omitted), compiled; undefined when there is none. */
  async resolve(id: string, version?: number): Promise<{ version: number; workflow: RegisteredWorkflow } | undefined> {
    const hit = version === undefined ? undefined : this.cache.get(key(id, version));
    if (hit) return { version: version!, workflow: hit };
    const record = await this.store.get(id, version);
    if (!record) return undefined;
    this.known.add(id);
    return { version: record.version, workflow: this.compiled(record) };
  }

  /** The latest version of every template; one that no longer compiles against this registry is left out and reported to `skipped`. */
  async list(skipped?: (record: TemplateRecord, error: unknown) => void): Promise<TemplateEntry[]> {
    const out: TemplateEntry[] = [];
    for (const { record, versions } of await this.store.latest()) {
      this.known.add(record.id);
      try {
        out.push({ record, versions, workflow: this.compiled(record) });
      } catch (e) {
        skipped?.(record, e);
      }
    }
    return out;
  }

  /** Every version of `id`, oldest first (none for an unknown id). */
  versions(id: string): Promise<TemplateRecord[]> {
    return this.store.versions(id);
  }

  /** Template ids seen by this process (created, resolved, listed or refreshed). */
  ids(): string[] {
    return [...this.known];
  }

  /** Reads every template id from the database; resolves with the ids not seen before. */
  async refresh(): Promise<string[]> {
    const fresh = (await this.store.ids()).filter((id) => !this.known.has(id));
    for (const id of fresh) this.known.add(id);
    return fresh;
  }

  /**
   * A decision point of a template's runs, for feedback and explanations: from a version
   * compiled here, else the registered point of that name.
   */
  point(workflowId: string, name: string): DecisionPoint | undefined {
    for (const [k, wf] of this.cache) if (k.startsWith(`${workflowId}@`) && wf.built.plan.points.has(name)) return wf.built.plan.points.get(name);
    return this.points.get(name);
  }

  private compiled(record: TemplateRecord): RegisteredWorkflow {
    const hit = this.cache.get(key(record.id, record.version));
    if (hit) return hit;
    let built: BuiltWorkflow;
    try {
      built = this.check(record.body).built;
    } catch (e) {
      throw new StagegraphError('template_unavailable', `template '${record.id}' version ${record.version} no longer fits the registered packs: ${(e as Error).message}`, {
        class: 'fatal',
        details: { workflowId: record.id, version: record.version, ...(e instanceof StagegraphError ? { path: e.details.path, reason: e.details.reason } : {}) },
        hint: 'register the packs it was created against, or create a new version',
        cause: e,
      });
    }
    return this.remember(record, built);
  }

  private remember(record: TemplateRecord, built: BuiltWorkflow): RegisteredWorkflow {
    const wf = { built, graph: this.options.compile(built) };
    this.cache.set(key(record.id, record.version), wf);
    // Versions never change: the oldest entry goes first when the cache is full.
    if (this.cache.size > (this.options.cacheSize ?? 200)) this.cache.delete(this.cache.keys().next().value!);
    return wf;
  }
}

const key = (id: string, version: number) => `${id}@${version}`;
