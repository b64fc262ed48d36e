/**
 * The checks of a WebSocket opening handshake (RFC 6455 §4.2.1), made before `ws` sees
 * the request, so that a bad upgrade is refused in the one error format with a request
 * id rather than with `ws`'s plain-text answer. They mirror `WebSocketServer.handleUpgrade`
 * (ws 8): whatever passes here, `ws` accepts.
 */
import type { IncomingMessage } from 'node:http';
import { PROGRESS_PATH } from '../contract/ws.ts';
import { clientError } from '../errors.ts';

/** The `Sec-WebSocket-Version`s `ws` speaks, as sent back to a client that asks for another. */
export const WS_VERSIONS = '13, 8';

/** Base64 of 16 bytes (the form `ws` requires). */
const KEY = /^[+/0-9A-Za-z]{22}==$/;
/** An RFC 7230 token. */
const TOKEN = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]+";
/** Tokens separated by commas, with spaces or tabs around the commas only (as `ws` parses it). */
const PROTOCOLS = new RegExp(`^${TOKEN}([ \\t]*,[ \\t]*${TOKEN})*$`);

function invalidHeader(header: string, message: string) {
  return clientError('invalid_request', message, { where: 'headers', header }, 'use a WebSocket client library');
}

/**
 * Throws the error a bad handshake is answered with: `route_not_found` (404) for
 * another path, `method_not_allowed` (405), `invalid_request` (400) for a missing or
 * malformed `Upgrade`, `Sec-WebSocket-Key` or `Sec-WebSocket-Protocol`, and
 * `upgrade_required` (426) for a `Sec-WebSocket-Version` other than 13 or 8.
 */
export function checkUpgrade(req: IncomingMessage): void {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  if (path !== PROGRESS_PATH) throw clientError('route_not_found', `no WebSocket endpoint at ${path}`, { path }, `connect to ${PROGRESS_PATH}`);
  if (req.method !== 'GET') throw clientError('method_not_allowed', `a WebSocket handshake is a GET, not ${req.method}`, { method: req.method, allow: ['GET'] });
  if (req.headers.upgrade?.toLowerCase() !== 'websocket') throw invalidHeader('upgrade', "the Upgrade header must be 'websocket'");
  const key = req.headers['sec-websocket-key'];
  if (key === undefined || !KEY.test(key)) throw invalidHeader('sec-websocket-key', 'missing or invalid Sec-WebSocket-Key (base64 of 16 bytes)');
  const version = req.headers['sec-websocket-version'];
  if (version !== '13' && version !== '8') {
    throw clientError('upgrade_required', `unsupported Sec-WebSocket-Version '${version ?? ''}'; this server speaks ${WS_VERSIONS}`, { header: 'sec-websocket-version', supported: [13, 8] });
  }
  const protocol = req.headers['sec-websocket-protocol'];
  if (protocol !== undefined) {
    const names = protocol.split(',').map((p) => p.trim());
    if (!PROTOCOLS.test(protocol) || new Set(names).size !== names.length) throw invalidHeader('sec-websocket-protocol', 'malformed Sec-WebSocket-Protocol (comma-separated distinct tokens)');
  }
}
