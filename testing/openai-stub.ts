/**
 * A small OpenAI-compatible server for tests: node:http on loopback, port 0, serving
 * POST /v1/chat/completions the way `ChatOpenAI.withStructuredOutput` expects:
 * a tool call when the request carries `tools` (function calling), JSON content when it
 * carries `response_format` (json_schema / json_object). Every request is counted.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the stub answers to one request. */
export type StubReply =
  /** A structured answer (serialised as tool-call arguments or as content). */
  | { answer: unknown; delayMs?: number }
  /** Exactly this text as tool-call arguments / content (e.g. malformed JSON). */
  | { raw: string; delayMs?: number }
  /** An HTTP error with an OpenAI-style error body. */
  | { status: number; delayMs?: number };

export interface StubRequest {
  body: {
    model?: string;
    messages?: { role: string; content: unknown }[];
    tools?: { type: string; function: { name: string; parameters?: unknown } }[];
    tool_choice?: unknown;
    response_format?: { type: string; json_schema?: { name: string } };
  };
  /** `tools` (function calling) or `response_format` (json schema / mode). */
  mode: 'tools' | 'response_format' | 'plain';
}

export interface OpenAIStub {
  /** Base URL for `STAGEGRAPH_LLM_BASE_URL` / `configuration.baseURL`, e.g. `http://127.0.0.1:4711/v1`. */
  baseURL: string;
  requests: StubRequest[];
  /** Requests received so far (to /v1/chat/completions). */
  readonly count: number;
  /** Replaces what the next requests get. */
  reply(next: StubReply | ((req: StubRequest, n: number) => StubReply)): void;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function completion(req: StubRequest, text: string): unknown {
  const tool = req.body.tools?.[0]?.function.name;
  const message = req.mode === 'tools' && tool
    ? { role: 'assistant', content: null, tool_calls: [{ id: 'call_stub_1', type: 'function', function: { name: tool, arguments: text } }] }
    : { role: 'assistant', content: text, refusal: null };
  return {
    id: 'chatcmpl-stub',
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: req.body.model ?? 'stub',
    choices: [{ index: 0, message, logprobs: null, finish_reason: req.mode === 'tools' ? 'tool_calls' : 'stop' }],
    usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Starts the stub; `reply` decides each answer (a fixed reply or a function of the request). */
export async function startOpenAIStub(reply: StubReply | ((req: StubRequest, n: number) => StubReply)): Promise<OpenAIStub> {
  let current = reply;
  const requests: StubRequest[] = [];
  const server = createServer(async (req, res) => {
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') return send(res, 404, { error: { message: `no route ${req.method} ${req.url}`, type: 'invalid_request_error' } });
    const body = JSON.parse(await readBody(req)) as StubRequest['body'];
    const entry: StubRequest = { body, mode: body.tools?.length ? 'tools' : body.response_format ? 'response_format' : 'plain' };
    requests.push(entry);
    const r = typeof current === 'function' ? current(entry, requests.length) : current;
    const respond = () => {
      if ('status' in r) {
        const type = r.status === 429 ? 'rate_limit_exceeded' : 'server_error';
        return send(res, r.status, { error: { message: `stub status ${r.status}`, type, code: type } });
      }
      send(res, 200, completion(entry, 'raw' in r ? r.raw : JSON.stringify(r.answer)));
    };
    if (!r.delayMs) return respond();
    const t = setTimeout(respond, r.delayMs);
    res.on('close', () => clearTimeout(t));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    get count() {
      return requests.length;
    },
    reply(next) {
      current = next;
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
