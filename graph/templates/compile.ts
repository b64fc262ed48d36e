/**
 * Template -> `WorkflowDefinition` -> `buildWorkflow()`. Names are resolved against the
 * pack registry first (stages, decision points, patterns, edge ends), each refusal
 * naming its place in the template; then the planner's own checks (schemas that do
 * not fit, unbounded loops, unreachable nodes, ...) run and their refusals are mapped
 * back to the step, decision, edge or pattern block at fault.
 */
import { z } from 'zod';
import { isStagegraphError, type StagegraphError } from '../../nodes/errors.ts';
import type { AnyStagePlugin } from '../../nodes/types.ts';
import { buildWorkflow, FAIL_NODE, type BuiltWorkflow } from '../compile.ts';
import { blackboard } from '../patterns/parts.ts';
import type { DecisionPoint } from '../decisions/types.ts';
import type { PackRegistry } from '../packs/registry.ts';
import type { WorkflowStateValue } from '../state.ts';
import { END, START, isRouteEdge, type Edge, type RouteEdge, type WorkflowDefinition } from '../workflow.ts';
import { entryOf, type PatternLookup, type PatternSpec } from './patterns.ts';
import { pathOf, refuseTemplate, type TemplateRefusal } from './refuse.ts';
import { TEMPLATE_END, TEMPLATE_START, WorkflowTemplateSchema, type TemplateStep, type WorkflowTemplate } from './schema.ts';

/** What a template is checked and compiled against. */
export interface TemplateContext {
  registry: PackRegistry;
  /** Coordination patterns a template's `patterns` blocks may name. @default [] */
  patterns?: readonly PatternSpec[];
}

export interface CompiledTemplate {
  template: WorkflowTemplate;
  built: BuiltWorkflow;
}

/** Node names a template may not use: the planner's failure node and the loop exit `fail`. */
const RESERVED = new Set([FAIL_NODE, 'fail']);

/** The decision points registered packs offer (and registered workflows use), by name; the first one wins. */
export function registeredPoints(registry: PackRegistry): Map<string, DecisionPoint> {
  const points = new Map<string, DecisionPoint>();
  for (const p of registry.packs.flatMap((pack) => pack.decisionPoints)) if (!points.has(p.name)) points.set(p.name, p);
  for (const w of registry.workflows.values()) for (const [name, p] of w.plan.points) if (!points.has(name)) points.set(name, p);
  return points;
}

/**
 * Validates a template (any JSON) and compiles it into a built workflow.
 * @throws StagegraphError `invalid_template` with `details.path` and `details.reason` (see `TEMPLATE_REFUSALS`).
 * @example compileTemplate({ id: 'greet', description: 'Says hello', steps: [{ stage: 'hello' }],
 *   edges: [{ from: 'START', to: 'hello' }, { from: 'hello', to: 'END' }] }, { registry });
 */
export function compileTemplate(raw: unknown, ctx: TemplateContext): CompiledTemplate {
  const parsed = WorkflowTemplateSchema.safeParse(raw);
  const id = typeof (raw as { id?: unknown } | null)?.id === 'string' ? (raw as { id: string }).id : undefined;
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: pathOf(i.path), message: i.message, code: i.code }));
    refuseTemplate(id, issues[0]!.path, 'invalid_format', issues[0]!.message, { details: { issues } });
  }
  const template = parsed.data;
  return { template, built: new TemplateCompiler(template, ctx).build() };
}

class TemplateCompiler {
  /** Where each node of the workflow comes from in the template. */
  private readonly origin = new Map<string, { path: string; field: string; kind: 'stage' | 'decision' }>();
  private readonly stages: AnyStagePlugin[] = [];
  private readonly decisions: DecisionPoint[] = [];
  /** Edges in definition order, each with its path in the template. */
  private readonly edges: { edge: Edge; path: string }[] = [];
  private readonly inputs: Record<string, (state: WorkflowStateValue) => unknown> = {};
  private readonly points: Map<string, DecisionPoint>;
  /** Pattern blocks by name: an edge to a block goes to its entry. */
  private readonly entries = new Map<string, string | string[]>();

  constructor(private readonly t: WorkflowTemplate, private readonly ctx: TemplateContext) {
    this.points = registeredPoints(ctx.registry);
  }

  private refuse(path: string, reason: TemplateRefusal, message: string, extra?: Parameters<typeof refuseTemplate>[4]): never {
    refuseTemplate(this.t.id, path, reason, message, extra);
  }

  build(): BuiltWorkflow {
    const { registry } = this.ctx;
    if (registry.workflows.has(this.t.id)) {
      this.refuse('id', 'workflow_exists', `'${this.t.id}' is a workflow registered in code; give the template another id`);
    }
    this.t.steps.forEach((step, i) => this.addStep(step, i));
    this.t.decisions.forEach((d, i) => {
      const point = this.points.get(d.point);
      if (!point) {
        this.refuse(`decisions[${i}].point`, 'unknown_decision_point', `no registered pack offers a decision point '${d.point}'`, {
          hint: `registered decision points: ${[...this.points.keys()].join(', ') || 'none'}`,
        });
      }
      this.addNode(point.name, `decisions[${i}]`, 'point', 'decision');
      this.decisions.push(point);
    });
    this.t.patterns.forEach((block, i) => this.addPattern(block, i));
    this.t.edges.forEach((edge, i) => this.edges.push({ edge: this.edgeOf(edge, `edges[${i}]`), path: `edges[${i}]` }));
    const def: WorkflowDefinition = {
      id: this.t.id,
      description: this.t.description,
      stages: this.stages,
      decisions: this.decisions,
      edges: this.edges.map((e) => e.edge),
      ...(Object.keys(this.inputs).length ? { inputs: this.inputs } : {}),
    };
    try {
      return buildWorkflow(def);
    } catch (e) {
      if (!isStagegraphError(e) || !e.code.startsWith('workflow_')) throw e;
      return this.plannerRefusal(e);
    }
  }

  private addNode(name: string, path: string, field: string, kind: 'stage' | 'decision'): void {
    if (RESERVED.has(name)) this.refuse(`${path}.${field}`, 'reserved_name', `'${name}' is reserved; give the node another name`);
    const twin = this.origin.get(name);
    if (twin) {
      this.refuse(`${path}.${field}`, 'duplicate_name', `'${name}' is already the name of ${twin.path}`, {
        hint: kind === 'stage' ? 'give the step an id of its own to use a stage twice' : undefined,
      });
    }
    this.origin.set(name, { path, field, kind });
  }

  private addStep(step: TemplateStep, i: number): void {
    const path = `steps[${i}]`;
    const registered = this.ctx.registry.stage(step.stage);
    if (!registered) {
      this.refuse(`${path}.stage`, 'unknown_stage', `no registered stage plugin is named '${step.stage}'`, {
        hint: `registered stages: ${this.ctx.registry.stages.map((s) => s.name).join(', ') || 'none'} (GET /api/plugins)`,
      });
    }
    const name = step.id ?? step.stage;
    this.addNode(name, path, step.id ? 'id' : 'stage', 'stage');
    this.stages.push(this.parameterized(registered.plugin, name, step.parameters, path));
    if (step.input === 'blackboard') this.inputs[name] = blackboard;
  }

  /**
   * The plugin as the step uses it: renamed to the step's id, and with its parameters
   * fixed: checked against the input schema now, no longer asked of the stage before
   * it, and merged over its input at every run.
   */
  private parameterized(plugin: AnyStagePlugin, name: string, parameters: Record<string, unknown> | undefined, path: string): AnyStagePlugin {
    const keys = Object.keys(parameters ?? {});
    if (!keys.length) return name === plugin.name ? plugin : Object.assign(Object.create(plugin) as AnyStagePlugin, { name });
    const input = plugin.input as z.ZodType;
    if (!(input instanceof z.ZodObject)) {
      this.refuse(`${path}.parameters`, 'no_parameters', `stage '${plugin.name}' takes no parameters: its input is not an object schema`);
    }
    const shape = input.shape as Record<string, z.ZodType>;
    for (const key of keys) {
      const field = shape[key];
      if (!field) {
        this.refuse(`${path}.parameters.${key}`, 'invalid_parameter', `stage '${plugin.name}' has no input field '${key}'`, {
          hint: `its input fields: ${Object.keys(shape).join(', ') || 'none'}`,
        });
      }
      const checked = field.safeParse(parameters![key]);
      if (!checked.success) {
        const issue = checked.error.issues[0]!;
        this.refuse(pathOf([key, ...issue.path], `${path}.parameters`), 'invalid_parameter',
          `does not fit stage '${plugin.name}': ${issue.message}`, { details: { issues: checked.error.issues.map((x) => ({ path: pathOf(x.path), message: x.message })) } });
      }
    }
    const fixed = { ...parameters };
    const narrowed = input.omit(Object.fromEntries(keys.map((k) => [k, true])) as Record<string, true>).strip();
    return Object.assign(Object.create(plugin) as AnyStagePlugin, {
      name,
      input: narrowed,
      run: (given: Record<string, unknown>, ctx: Parameters<AnyStagePlugin['run']>[1]) => plugin.run(input.parse({ ...given, ...fixed }), ctx),
    });
  }

  private addPattern(raw: { pattern: string } & Record<string, unknown>, i: number): void {
    const path = `patterns[${i}]`;
    const spec = this.ctx.patterns?.find((p) => p.id === raw.pattern);
    if (!spec) {
      this.refuse(`${path}.pattern`, 'unknown_pattern', `no pattern is named '${raw.pattern}'`, {
        hint: `known patterns: ${this.ctx.patterns?.map((p) => p.id).join(', ') || 'none'} (GET /api/patterns)`,
      });
    }
    const { pattern: _, ...rest } = raw;
    // A block leads out by itself to its `then`: END there is the workflow's END.
    if (rest.then === TEMPLATE_END) rest.then = END;
    const block = spec.block.safeParse(rest);
    if (!block.success) {
      const issue = block.error.issues[0]!;
      this.refuse(pathOf(issue.path, path), 'invalid_pattern_block', issue.message, {
        details: { pattern: spec.id, issues: block.error.issues.map((x) => ({ path: pathOf(x.path), message: x.message })) },
      });
    }
    let expansion: ReturnType<PatternSpec['expand']>;
    try {
      expansion = spec.expand(block.data, this.lookup());
    } catch (e) {
      if (!isStagegraphError(e)) throw e;
      const d = e.details as { field?: string; name?: string };
      const named = d.field ? rest[d.field] : undefined;
      const at = !d.field ? path : Array.isArray(named) && named.includes(d.name) ? pathOf([d.field, named.indexOf(d.name)], path) : pathOf([d.field], path);
      this.refuse(at, 'invalid_pattern_block', e.message, { details: { pattern: spec.id, code: e.code }, cause: e });
    }
    const blockName = (block.data as { name?: unknown }).name;
    for (const s of expansion.stages) {
      this.addNode(s.name, path, 'pattern', 'stage');
      this.stages.push(s);
    }
    for (const p of expansion.decisions) {
      this.addNode(p.name, path, 'pattern', 'decision');
      this.decisions.push(p);
    }
    // An edge to the block's name goes to its entry (unless the name is a node of its own).
    if (typeof blockName === 'string' && !this.origin.has(blockName)) {
      if (this.entries.has(blockName)) this.refuse(`${path}.name`, 'duplicate_name', `'${blockName}' is already the name of another pattern block`);
      this.entries.set(blockName, entryOf(spec.id, block.data as Record<string, unknown>));
    }
    for (const edge of expansion.edges) this.edges.push({ edge, path });
    Object.assign(this.inputs, expansion.inputs);
  }

  private lookup(): PatternLookup {
    const { registry } = this.ctx;
    return {
      stage: (name) => registry.stage(name)?.plugin,
      decisionPoint: (id) => this.points.get(id),
      workflow: (id) => registry.workflows.get(id)?.def,
    };
  }

  /** A template edge as a definition edge, every end checked; a pattern block's name stands for its entry. */
  private edgeOf(edge: WorkflowTemplate['edges'][number], path: string): Edge {
    const node = (ref: string, at: string, role: 'from' | 'to'): string | string[] => {
      if (ref === TEMPLATE_START && role === 'from') return START;
      if (ref === TEMPLATE_END && role === 'to') return END;
      if (this.origin.has(ref)) return ref;
      const entry = this.entries.get(ref);
      if (entry && role === 'to') return entry;
      if (entry) this.refuse(at, 'unknown_node', `'${ref}' is a pattern block: it leads on by itself through its 'then'`);
      const ends = role === 'from' ? 'START' : 'END';
      this.refuse(at, 'unknown_node', `'${ref}' is not a step, decision point or pattern node of this template${ref === TEMPLATE_START || ref === TEMPLATE_END ? ` (only ${ends} may be ${role === 'from' ? 'a source' : 'a target'} here)` : ''}`, {
        hint: `nodes: ${[...this.origin.keys(), ...this.entries.keys()].join(', ') || 'none'}`,
      });
    };
    const one = (ref: string, at: string): string => {
      const n = node(ref, at, 'to');
      if (Array.isArray(n)) this.refuse(at, 'unknown_node', `'${ref}' is a parallel pattern block: a route or loop exit needs one node; route to a stage before it`);
      return n;
    };
    const refs = (v: string | string[], at: string, role: 'from' | 'to') => {
      const out = (Array.isArray(v) ? v.map((r, k) => node(r, `${at}[${k}]`, role)) : [node(v, at, role)]).flat();
      return out.length === 1 ? out[0]! : out;
    };
    if (!('routes' in edge)) return { from: refs(edge.from, `${path}.from`, 'from'), to: refs(edge.to, `${path}.to`, 'to') };
    const from = node(edge.from, `${path}.from`, 'from') as string;
    if (this.origin.get(from)?.kind !== 'decision') {
      this.refuse(`${path}.from`, 'not_a_decision_point', `routes leave only a decision point, and '${edge.from}' is ${from === START ? 'START' : 'a stage'}`);
    }
    const routes = Object.fromEntries(Object.entries(edge.routes).map(([opt, to]) => [opt, one(to, pathOf([opt], `${path}.routes`))]));
    const loop = edge.loop && {
      maxIterations: edge.loop.maxIterations,
      onExhausted: edge.loop.onExhausted === 'fail' ? 'fail' : one(edge.loop.onExhausted, `${path}.loop.onExhausted`),
    };
    return { from, routes, ...(loop ? { loop } : {}) };
  }

  /** Where a node is in the template: its step's stage (or id), its decision's point, its pattern block. */
  private nodePath(name: unknown): string {
    const o = typeof name === 'string' ? this.origin.get(name) : undefined;
    return o ? (o.field === 'pattern' ? o.path : `${o.path}.${o.field}`) : 'edges';
  }

  /** The planner refused the definition: name the template's part at fault. */
  private plannerRefusal(e: StagegraphError): never {
    const d = e.details as { node?: string; to?: string; nodes?: string[]; option?: string; target?: string };
    const routeOf = (point: string | undefined) => this.edges.find(({ edge }) => isRouteEdge(edge) && edge.from === point);
    let path: string;
    switch (e.code) {
      case 'workflow_schema_mismatch':
        path = this.nodePath(d.to);
        break;
      case 'workflow_unbounded_loop': {
        if (d.node) {
          const route = routeOf(d.node);
          path = route ? (route.path.startsWith('edges') ? `${route.path}.loop` : route.path) : this.nodePath(d.node);
          break;
        }
        // A cycle of plain edges: the last edge between two nodes of the cycle closes it.
        const cycle = new Set(d.nodes ?? []);
        const list = (v: string | string[]) => (Array.isArray(v) ? v : [v]);
        const closing = [...this.edges].reverse().find(({ edge }) => !isRouteEdge(edge) && list(edge.from).some((f) => cycle.has(f)) && list(edge.to).some((t) => cycle.has(t)));
        path = closing?.path ?? 'edges';
        break;
      }
      case 'workflow_invalid_route': {
        // Two route edges from one point: the second; an option: its route, or the routes missing it.
        const at = this.edges.filter(({ edge }) => isRouteEdge(edge) && edge.from === d.node).pop();
        if (!at) path = this.nodePath(d.node);
        else if (!at.path.startsWith('edges') || d.option === undefined) path = at.path;
        else path = d.option in (at.edge as RouteEdge).routes ? pathOf([d.option], `${at.path}.routes`) : `${at.path}.routes`;
        break;
      }
      case 'workflow_no_start':
        path = 'edges';
        break;
      case 'workflow_unknown_node': {
        // Only a pattern block's edges can name a node no check above saw: its `then`.
        const list = (v: string | string[]) => (Array.isArray(v) ? v : [v]);
        const at = this.edges.find(({ edge }) => (isRouteEdge(edge) ? Object.values(edge.routes) : list(edge.to)).includes(d.node!) || list(edge.from).includes(d.node!));
        path = at ? (at.path.startsWith('patterns') ? `${at.path}.then` : at.path) : 'edges';
        break;
      }
      default:
        path = this.nodePath(d.node);
    }
    this.refuse(path, e.code as TemplateRefusal, e.message, { details: { code: e.code, ...e.details }, hint: e.hint, cause: e });
  }
}
