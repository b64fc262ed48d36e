/**
 * A WebSocket for the event stream: the global one (browsers, Node 22+) or, in Node
 * without one, the `ws` package loaded on demand. Browsers cannot set headers on a
 * WebSocket, so the token goes in `?token=` there; with `ws` it goes in the
 * Authorization header.
 */

/** The part of the WHATWG WebSocket API the stream uses (both `ws` and browsers have it). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open', listener: () => void): void;
  addEventListener(type: 'message', listener: (ev: { data: unknown }) => void): void;
  addEventListener(type: 'close', listener: (ev: { code: number; reason: string }) => void): void;
  addEventListener(type: 'error', listener: (ev: unknown) => void): void;
}

export type SocketFactory = (url: string, token: string | undefined) => Promise<SocketLike>;

type WsCtor = new (url: string, protocols?: string | string[], options?: { headers?: Record<string, string> }) => SocketLike;

export const defaultSocketFactory: SocketFactory = async (url, token) => {
  const Global = (globalThis as { WebSocket?: new (url: string) => SocketLike }).WebSocket;
  if (Global) {
    const u = new URL(url);
    if (token) u.searchParams.set('token', token);
    return new Global(u.toString());
  }
  const mod = (await import('ws')) as unknown as { WebSocket: WsCtor };
  return new mod.WebSocket(url, undefined, token ? { headers: { authorization: `Bearer ${token}` } } : undefined);
};
