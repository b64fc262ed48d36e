/**
 * A TCP proxy on 127.0.0.1 in front of Postgres, for fault tests: `outage(ms)` cuts
 * every open connection (both ends) and refuses new ones (accepted, then reset) for
 * `ms`, then accepts again, as a network blip or a database restart looks to a client.
 */
import net from 'node:net';

export interface TcpProxy {
  /** The proxy's port on 127.0.0.1. */
  port: number;
  /** `url` with its host and port replaced by the proxy's. */
  urlFor(url: string): string;
  /** Connections accepted and passed through so far. */
  readonly connections: number;
  /** Connections cut or refused by outages so far. */
  readonly dropped: number;
  /** Cuts every connection now and refuses new ones for `ms`; resolves when it accepts again. */
  outage(ms: number): Promise<void>;
  close(): Promise<void>;
}

/** Starts a proxy to `target` (host and port of the real server). */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<net.Socket>();
  let down = false;
  let connections = 0;
  let dropped = 0;
  const server = net.createServer((client) => {
    if (down) {
      dropped++;
      client.resetAndDestroy();
      return;
    }
    connections++;
    const upstream = net.connect(target.port, target.host);
    for (const s of [client, upstream]) {
      open.add(s);
      s.setNoDelay(true);
      s.on('error', () => undefined);
      s.on('close', () => {
        open.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok());
  });
  const port = (server.address() as net.AddressInfo).port;
  const cut = () => {
    for (const s of open) {
      if (s.remoteAddress === '127.0.0.1' && s.localPort === port) dropped++;
      s.resetAndDestroy();
    }
    open.clear();
  };
  return {
    port,
    urlFor: (url) => {
      const u = new URL(url);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    get connections() {
      return connections;
    },
    get dropped() {
      return dropped;
    },
    outage: async (ms) => {
      down = true;
      cut();
      await new Promise((r) => setTimeout(r, ms));
      down = false;
    },
    close: async () => {
      cut();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}
