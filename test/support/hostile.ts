/**
 * Tools for the hostile-input tests: raw HTTP over a `net` socket (bytes exactly as
 * written, nothing normalised), the places in a route's input a client can put a
 * string (walked from the contract's zod schemas, so new routes and fields are covered
 * without touching the tests), and the check that an answer is in the one error format.
 */
import net from 'node:net';
import { expect } from 'vitest';
import { z } from 'zod';
import { schemas } from '../../server/index.ts';

export interface RawResponse {
  status: number;
  /** Lower-cased header names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  body: string;
  /** Everything the server wrote. */
  raw: string;
  /** The server closed the connection. */
  closed: boolean;
}

/** Parses the first HTTP/1.1 response in `raw` (Content-Length bodies only, as our errors are). */
export function parseResponse(raw: string, closed = true): RawResponse {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) throw new Error(`no complete HTTP response in ${JSON.stringify(raw.slice(0, 300))}`);
  const [statusLine, ...lines] = raw.slice(0, end).split('\r\n');
  const m = /^HTTP\/1\.1 (\d{3}) /.exec(statusLine!);
  if (!m) throw new Error(`bad status line ${JSON.stringify(statusLine)}`);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf(':');
    const name = line.slice(0, i).trim().toLowerCase();
    const value = line.slice(i + 1).trim();
    headers[name] = headers[name] ? `${headers[name]}, ${value}` : value;
  }
  const rest = Buffer.from(raw.slice(end + 4), 'latin1');
  const length = headers['content-length'] !== undefined ? Number(headers['content-length']) : rest.length;
  return { status: Number(m[1]), headers, body: rest.subarray(0, length).toString('utf8'), raw, closed };
}

/**
 * Writes `chunks` to a fresh connection to `url` (one write each) and resolves with what
 * came back once the server closed the connection, or, with `untilResponse`, once a
 * complete response (or a 101) arrived; the connection is then closed by us.
 */
export function rawExchange(url: string, chunks: (string | Buffer)[], options: { untilResponse?: boolean; timeoutMs?: number } = {}): Promise<RawResponse> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: u.hostname, port: Number(u.port) });
    let data = Buffer.alloc(0);
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      try {
        resolve(parseResponse(data.toString('latin1'), closed));
      } catch (e) {
        reject(e);
      }
    };
    const timer = setTimeout(() => {
      done = true;
      socket.destroy();
      reject(new Error(`no answer within ${options.timeoutMs ?? 10_000} ms; got ${JSON.stringify(data.toString('latin1').slice(0, 300))}`));
    }, options.timeoutMs ?? 10_000);
    socket.on('data', (d: Buffer) => {
      data = Buffer.concat([data, d]);
      if (!options.untilResponse) return;
      const text = data.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = /\r\ncontent-length:\s*(\d+)/i.exec(text.slice(0, end))?.[1];
      // A 101 has no body; anything else is complete once Content-Length bytes are in.
      if (/^HTTP\/1\.1 101 /.test(text) || (length !== undefined && data.length >= end + 4 + Number(length))) finish(false);
    });
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
    socket.on('connect', () => {
      for (const c of chunks) socket.write(c);
    });
  });
}

/** Asserts the answer is an error in the documented format; returns its code and body. */
export function expectErrorFormat(res: { status: number; headers: Record<string, string | string[] | undefined>; body: string }, what = ''): z.output<typeof schemas.ErrorBody>['error'] {
  expect(res.status, `${what}: ${res.body.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
  expect(String(res.headers['content-type']), what).toMatch(/^application\/json/);
  const parsed = schemas.ErrorBody.safeParse(JSON.parse(res.body));
  expect(parsed.success, `${what}: ${res.body.slice(0, 300)}`).toBe(true);
  const error = parsed.data!.error;
  expect(error.requestId.length, what).toBeGreaterThan(0);
  expect(res.headers['x-request-id'], what).toBe(error.requestId);
  return error;
}

/** A place in a JSON input: a path, and whether the string goes in as a key at that path rather than as its value. */
export interface Slot {
  path: (string | number)[];
  key: boolean;
}

type JsonSchema = { properties?: Record<string, JsonSchema>; anyOf?: JsonSchema[]; oneOf?: JsonSchema[]; additionalProperties?: JsonSchema | boolean; items?: JsonSchema; type?: string | string[] };

/**
 * Every place a client can put a string in input of `schema`: each property (at any
 * depth, whatever its declared type), the items of arrays, for open objects (records,
 * `unknown`) a value under a fresh key and the key itself, and at the top a field the
 * schema does not know and a key.
 */
export function inputSlots(schema: z.ZodType): Slot[] {
  const slots: Slot[] = [];
  const seen = new Set<string>();
  const add = (s: Slot) => {
    const id = JSON.stringify(s);
    if (!seen.has(id)) (seen.add(id), slots.push(s));
  };
  const walk = (js: JsonSchema, path: (string | number)[], depth: number) => {
    if (depth > 6) return;
    for (const [name, sub] of Object.entries(js.properties ?? {})) {
      add({ path: [...path, name], key: false });
      walk(sub, [...path, name], depth + 1);
    }
    for (const alt of [...(js.anyOf ?? []), ...(js.oneOf ?? [])]) walk(alt, path, depth + 1);
    const open = (js.additionalProperties !== undefined && js.additionalProperties !== false) || (js.type === undefined && !js.properties && !js.anyOf && !js.oneOf && !js.items);
    if (open && path.length > 0) {
      add({ path: [...path, 'field'], key: false });
      add({ path, key: true });
    }
    if (js.items) add({ path: [...path, 0], key: false });
  };
  walk(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema, [], 0);
  // A field the schema does not know, and a key: refused for what they hold before any schema sees them.
  add({ path: ['unknownField'], key: false });
  add({ path: [], key: true });
  return slots;
}

/** `base` with `s` placed at `slot` (as a value, or as a key holding `"x"`). */
export function place(base: Record<string, unknown>, slot: Slot, s: string): Record<string, unknown> {
  const root = structuredClone(base);
  let at: Record<string | number, unknown> = root;
  const steps = slot.path;
  const last = steps.length - 1;
  for (let i = 0; i < last + (slot.key ? 1 : 0); i++) {
    const step = steps[i]!;
    const next = steps[i + 1];
    const existing = at[step];
    if (typeof existing !== 'object' || existing === null) at[step] = typeof next === 'number' ? [] : {};
    at = at[step] as Record<string | number, unknown>;
  }
  if (slot.key) at[s] = 'x';
  else at[steps[last]!] = s;
  return root;
}

/** The field path `assertStorable` reports for `slot` under `root` (keys JSON-escaped). */
export function fieldOf(root: string, slot: Slot, s: string): string {
  const seg = (p: string | number) => (typeof p === 'number' ? `[${p}]` : /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(p) ? `.${p}` : `[${JSON.stringify(p)}]`);
  return root + slot.path.map(seg).join('') + (slot.key ? `[${JSON.stringify(s)}]` : '');
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * `encodeURIComponent`, except that a lone surrogate (which has no UTF-8 form, so the
 * built-in throws) goes out as its CESU-8 bytes: the nearest a hostile URL can get.
 */
export function encodeUrlPart(s: string): string {
  let out = '';
  let last = 0;
  for (const m of s.matchAll(LONE_SURROGATE)) {
    const c = m[0].charCodeAt(0);
    out += encodeURIComponent(s.slice(last, m.index)) + [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    last = m.index + 1;
  }
  return out + encodeURIComponent(s.slice(last));
}
