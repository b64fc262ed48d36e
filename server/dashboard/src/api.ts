/**
 * The page's link to the server: the typed client (REST + reconnecting event stream)
 * with the API key kept in localStorage, and what this server offers beyond the
 * client's routes (decision feedback, run recovery), read from its OpenAPI document.
 */
import { ApiError, createClient, type Client } from '../../../client/index.ts';

const KEY = 'stagegraph.apiKey';

type Json = Record<string, unknown>;

/** An optional endpoint found in the server's OpenAPI document. */
export interface Endpoint {
  /** OpenAPI path, e.g. `/api/agent/{sessionId}/recover`. */
  path: string;
  /** For recovery: the values of `action` the body takes. */
  actions: string[];
}

export interface Capabilities {
  feedback?: Endpoint;
  recover?: Endpoint;
}

function storage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined; // storage disabled: the key lives for the page only
  }
}

export class Api {
  readonly baseUrl = location.origin;
  readonly client: Client;
  private token: string | undefined;
  private caps?: Promise<Capabilities>;

  constructor() {
    this.token = storage()?.getItem(KEY) ?? undefined;
    this.client = createClient({ baseUrl: this.baseUrl, token: () => this.token });
  }

  get apiKey(): string | undefined {
    return this.token;
  }

  /** Stores the key (or forgets it with `undefined`). */
  setApiKey(key: string | undefined): void {
    this.token = key?.trim() || undefined;
    if (this.token) storage()?.setItem(KEY, this.token);
    else storage()?.removeItem(KEY);
  }

  /** The optional endpoints this server has (read once from `/openapi.json`). */
  capabilities(): Promise<Capabilities> {
    return (this.caps ??= this.client.openapi().then(findCapabilities, () => ({})));
  }

  /** POST to an OpenAPI path, filling `{name}` parameters from `params`. @throws ApiError */
  async post(path: string, params: Record<string, string>, body: unknown): Promise<unknown> {
    const url = path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? ''));
    const res = await fetch(this.baseUrl + url, { method: 'POST', headers: this.headers({ 'content-type': 'application/json' }), body: JSON.stringify(body) });
    const data = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string; details?: Json; hint?: string } };
    if (!res.ok) throw new ApiError(res.status, data.error?.code ?? `http_${res.status}`, data.error?.message ?? res.statusText, data.error?.details ?? {}, data.error?.hint);
    return data;
  }

  /** Fetches an artifact with the caller's key and saves it under `name`. */
  async download(runId: string, name: string): Promise<void> {
    const res = await this.client.artifact(runId, name);
    const url = URL.createObjectURL(await res.blob());
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    a.hidden = true;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }

  /** An SVG artifact as an object URL an `<img>` can show (fetched with the caller's key; revoke it when done). */
  async svgUrl(runId: string, name: string): Promise<string> {
    const res = await this.client.artifact(runId, name);
    return URL.createObjectURL(new Blob([await res.arrayBuffer()], { type: 'image/svg+xml' }));
  }

  private headers(extra: Record<string, string>): Record<string, string> {
    return this.token ? { ...extra, authorization: `Bearer ${this.token}` } : extra;
  }
}

function resolve(doc: Json, schema: unknown): Json {
  const ref = (schema as { $ref?: string } | undefined)?.$ref;
  if (!ref?.startsWith('#/')) return (schema ?? {}) as Json;
  let at: unknown = doc;
  for (const part of ref.slice(2).split('/')) at = (at as Json | undefined)?.[part];
  return (at ?? {}) as Json;
}

/** The values `action` may take in a request body schema (enum, const, or a union of variants). */
function actionsOf(doc: Json, schema: unknown): string[] {
  const s = resolve(doc, schema);
  const variants = [...((s.oneOf ?? s.anyOf ?? []) as unknown[])].map((v) => resolve(doc, v));
  const out = new Set<string>();
  for (const v of variants.length ? variants : [s]) {
    const action = resolve(doc, (v.properties as Json | undefined)?.action);
    for (const x of (action.enum as unknown[] | undefined) ?? []) if (typeof x === 'string') out.add(x);
    if (typeof action.const === 'string') out.add(action.const);
  }
  return [...out];
}

export function findCapabilities(doc: unknown): Capabilities {
  const d = (doc ?? {}) as Json;
  const paths = (d.paths ?? {}) as Record<string, Json>;
  const caps: Capabilities = {};
  for (const [path, ops] of Object.entries(paths)) {
    const post = ops.post as Json | undefined;
    if (!post) continue;
    const body = ((post.requestBody as Json | undefined)?.content as Json | undefined)?.['application/json'] as Json | undefined;
    if (/\/feedback$/.test(path)) caps.feedback = { path, actions: [] };
    if (/\/recover(y)?$/.test(path)) caps.recover = { path, actions: actionsOf(d, body?.schema) };
  }
  return caps;
}

/** A short, human line for an error from the API. */
export function describeError(e: unknown): string {
  if (e instanceof ApiError) return `${e.message} [${e.code}]${e.hint ? ` — ${e.hint}` : ''}`;
  return e instanceof Error ? e.message : String(e);
}

export { ApiError };
