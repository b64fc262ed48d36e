/**
 * The http server's `clientError` listener: a request Node's parser refuses (a
 * malformed request line, a duplicate Content-Length, a bad chunk size, headers over
 * the limit) never reaches Koa, so it is answered here, in the same error format as
 * every other error, with a request id, and logged as the client's fault, not ours.
 */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { clientError, errorResponse } from '../errors.ts';
import type { ServerMetrics } from '../metrics.ts';
import { requestId } from './request-context.ts';

/** What Node puts on a parser error (llhttp's code and reason, the bytes it choked on). */
interface ParserError extends Error {
  code?: string;
  reason?: string;
  rawPacket?: Buffer;
}

/** The refusal for each parser error, as Node's own default answer would have it (431, 413, 408, else 400). */
function refusal(err: ParserError) {
  const details = { parser: err.code ?? 'unknown' };
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return clientError('headers_too_large', 'request headers are too large', details, 'send fewer or shorter headers');
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return clientError('payload_too_large', 'chunk extensions are too large', details);
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return clientError('request_timeout', 'the request was not received in time', details);
    default:
      return clientError('malformed_request', `malformed HTTP request: ${err.reason ?? err.code ?? 'parse error'}`, details);
  }
}

/** The caller's `X-Request-Id`, if the bytes the parser saw carry a valid one; otherwise a fresh id. */
function idOf(err: ParserError): string {
  const raw = err.rawPacket?.toString('latin1') ?? '';
  return requestId(/\r\nx-request-id:[ \t]*([^\r\n]*)/i.exec(raw)?.[1]?.trim());
}

/** A response already under way on the socket (keep-alive) must not be interleaved with ours. */
function responseStarted(socket: Duplex): boolean {
  // `_httpMessage` is the ServerResponse Node has bound to the socket; Node's own default handler checks it too.
  return (socket as Duplex & { _httpMessage?: { headersSent?: boolean } | null })._httpMessage?.headersSent === true;
}

/**
 * @example server.on('clientError', clientErrorHandler(logger, metrics));
 */
export function clientErrorHandler(logger: Logger, metrics: ServerMetrics): (err: ParserError, socket: Duplex) => void {
  return (err, socket) => {
    if (err.code === 'ECONNRESET' || !socket.writable || responseStarted(socket)) {
      socket.destroy();
      return;
    }
    const id = idOf(err);
    const { status, body, error } = errorResponse(refusal(err), id);
    logger.info({ requestId: id, status, code: error.code, parser: err.code }, 'client error: request refused by the http parser');
    metrics.observeHttp('-', 'unparsed', status, 0);
    const json = JSON.stringify(body);
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
        `X-Request-Id: ${id}\r\nContent-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`,
      () => socket.destroy(),
    );
  };
}

/** Socket errors that mean the client went away mid-response (its doing, not the server's). */
const GONE = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE', 'ERR_STREAM_DESTROYED']);

/**
 * Whether an error Koa reports (`app.on('error')`) is the client's: it disconnected
 * mid-response, or the error was a 4xx the client was already answered with.
 */
export function isClientsFault(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { code, status, expose } = err as { code?: unknown; status?: unknown; expose?: unknown };
  if (typeof code === 'string' && GONE.has(code)) return true;
  return expose === true && typeof status === 'number' && status >= 400 && status < 500;
}
