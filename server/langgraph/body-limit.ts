/**
 * The REST API's body limit on the LangGraph app, which reads its own bodies. (Hono's
 * `bodyLimit` rebuilds a chunked request with `new Request(raw)`, which the Node
 * adapter's request object, left lightweight so that no global is replaced, refuses.)
 */
import type { MiddlewareHandler } from 'hono';
import { clientError } from '../errors.ts';

export function bodyLimit(maxBytes: number): MiddlewareHandler {
  const tooLarge = () => clientError('payload_too_large', `request body over ${maxBytes} bytes`, { limit: maxBytes });
  return async (c, next) => {
    const raw = c.req.raw;
    if (!raw.body) return next();
    const length = raw.headers.get('content-length');
    if (length !== null && !raw.headers.has('transfer-encoding')) {
      if (Number(length) > maxBytes) throw tooLarge();
      return next();
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of raw.body as unknown as AsyncIterable<Uint8Array>) {
      size += chunk.length;
      if (size > maxBytes) throw tooLarge();
      chunks.push(chunk);
    }
    c.req.raw = new Request(raw.url, { method: raw.method, headers: raw.headers, body: Buffer.concat(chunks), signal: raw.signal });
    return next();
  };
}
