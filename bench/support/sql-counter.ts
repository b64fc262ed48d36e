/**
 * Counts the SQL a piece of code sends, by wrapping `pg.Client.prototype.query` in this
 * process (every pool client, dedicated connection and checkpointer goes through it).
 * Work is attributed to the scope (an `AsyncLocalStorage` key) it was issued from, so
 * queries a run schedules for later (flush timers, chained checkpoint puts) still count
 * for that run. Definitions, per scope:
 *
 * - `calls`: `query()` calls.
 * - `statements`: SQL statements; a call without parameters whose text holds several
 *   statements (simple protocol, `a; b; c`) counts each one.
 * - `roundTrips`: times a caller waits on the network for a reply. node-postgres sends a
 *   query only after the previous reply on that connection, so each call is one round
 *   trip - except on a client with `pipeline: true`, where calls issued while others are
 *   outstanding travel together: there a round trip is a connection going from nothing
 *   outstanding to something outstanding.
 * - `transactions`: explicit ones (`BEGIN` / `START TRANSACTION`); `commits` and
 *   `rollbacks` count their ends, `standalone` the statements outside any explicit
 *   transaction (each is its own implicit transaction).
 * - `connections`: distinct connections that carried the scope's queries.
 */
import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import pg from 'pg';

export interface SqlTally {
  calls: number;
  statements: number;
  roundTrips: number;
  transactions: number;
  commits: number;
  rollbacks: number;
  standalone: number;
  connections: number;
}

export const emptyTally = (): SqlTally => ({ calls: 0, statements: 0, roundTrips: 0, transactions: 0, commits: 0, rollbacks: 0, standalone: 0, connections: 0 });

/** Per-connection state: inside an explicit transaction, replies outstanding. */
interface ConnectionState {
  inTransaction: boolean;
  outstanding: number;
}

/**
 * The first keyword of each statement in `sql` (upper case). String literals, quoted
 * identifiers, dollar-quoted bodies and comments are skipped, so a `;` inside them
 * does not split. (Backslash escapes in `E'...'` strings are not interpreted.)
 */
export function statementKeywords(sql: string): string[] {
  let code = '';
  for (let i = 0; i < sql.length;) {
    const c = sql[i]!;
    if (c === "'" || c === '"') {
      let j = sql.indexOf(c, i + 1);
      while (j !== -1 && sql[j + 1] === c) j = sql.indexOf(c, j + 2);
      i = j === -1 ? sql.length : j + 1;
      code += ' x ';
    } else if (c === '-' && sql[i + 1] === '-') {
      const j = sql.indexOf('\n', i);
      i = j === -1 ? sql.length : j + 1;
      code += ' ';
    } else if (c === '/' && sql[i + 1] === '*') {
      const j = sql.indexOf('*/', i + 2);
      i = j === -1 ? sql.length : j + 2;
      code += ' ';
    } else if (c === '$' && /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/.test(sql.slice(i, i + 64))) {
      const tag = /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i, i + 64))![0];
      const j = sql.indexOf(tag, i + tag.length);
      i = j === -1 ? sql.length : j + tag.length;
      code += ' x ';
    } else {
      code += c;
      i++;
    }
  }
  return code.split(';').map((s) => s.trim()).filter((s) => s.length > 0).map((s) => s.split(/\s+/)[0]!.toUpperCase());
}

type QueryFn = (this: pg.Client, config: unknown, values?: unknown, callback?: unknown) => unknown;

export class SqlCounter {
  private readonly scope = new AsyncLocalStorage<string>();
  private readonly tallies = new Map<string, SqlTally>();
  private readonly seen = new Map<string, WeakSet<object>>();
  private readonly state = new WeakMap<object, ConnectionState>();
  private restore?: () => void;
  /** Calls issued outside any scope (the benchmark's own bookkeeping, background sweeps). */
  unscoped = 0;

  /** Starts counting; `uninstall()` puts the original `query` back. */
  install(): this {
    if (this.restore) return this;
    const proto = pg.Client.prototype as unknown as { query: QueryFn };
    const original = proto.query;
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const counter = this;
    proto.query = function (this: pg.Client, config, values, callback) {
      const done = counter.issued(this, config, values);
      if (!done) return original.call(this, config, values, callback);
      if (typeof values === 'function') values = settleThen(done, values);
      else if (typeof callback === 'function') callback = settleThen(done, callback);
      const result = original.call(this, config, values, callback);
      if (result && typeof (result as Promise<unknown>).then === 'function') (result as Promise<unknown>).then(done, done);
      else if (typeof values !== 'function' && typeof callback !== 'function') onceEnded(config, done);
      return result;
    };
    // A caller waiting for a pool connection gets it from another caller's release, in
    // that caller's async context: bind the wait to the caller's, so its queries stay its own.
    const poolProto = pg.Pool.prototype as unknown as { connect: (cb?: (...a: unknown[]) => void) => unknown };
    const originalConnect = poolProto.connect;
    poolProto.connect = function (this: pg.Pool, cb?: (...a: unknown[]) => void) {
      return originalConnect.call(this, typeof cb === 'function' ? AsyncResource.bind(cb) : cb);
    };
    this.restore = () => {
      proto.query = original;
      poolProto.connect = originalConnect;
    };
    return this;
  }

  uninstall(): void {
    this.restore?.();
    this.restore = undefined;
  }

  /** Runs `fn` with every query it causes (now or later) counted under `key`. */
  within<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.scope.run(key, fn);
  }

  /** The tally of `key` so far (zeros if it issued nothing). */
  tally(key: string): SqlTally {
    return { ...(this.tallies.get(key) ?? emptyTally()) };
  }

  /** The current scope's key, if any. */
  current(): string | undefined {
    return this.scope.getStore();
  }

  /** Counts one call; returns the callback to run when its reply arrives (undefined if unscoped). */
  private issued(client: pg.Client, config: unknown, values: unknown): (() => void) | undefined {
    const key = this.scope.getStore();
    if (key === undefined) {
      this.unscoped++;
      return undefined;
    }
    let t = this.tallies.get(key);
    if (!t) this.tallies.set(key, (t = emptyTally()));
    let seen = this.seen.get(key);
    if (!seen) this.seen.set(key, (seen = new WeakSet()));
    if (!seen.has(client)) {
      seen.add(client);
      t.connections++;
    }
    let conn = this.state.get(client);
    if (!conn) this.state.set(client, (conn = { inTransaction: false, outstanding: 0 }));
    const pipelined = (client as unknown as { pipeline?: boolean }).pipeline === true;
    t.calls++;
    if (!pipelined || conn.outstanding === 0) t.roundTrips++;
    conn.outstanding++;
    const text = typeof config === 'string' ? config : (config as { text?: unknown } | null)?.text;
    const params = Array.isArray(values) ? values : (config as { values?: unknown } | null)?.values;
    const hasParams = Array.isArray(params) && params.length > 0;
    const keywords = typeof text !== 'string' ? ['?'] : hasParams || !text.includes(';') ? [firstKeyword(text)] : statementKeywords(text);
    for (const kw of keywords) {
      t.statements++;
      if (kw === 'BEGIN' || kw === 'START') {
        t.transactions++;
        conn.inTransaction = true;
      } else if (kw === 'COMMIT' || kw === 'END') {
        t.commits++;
        conn.inTransaction = false;
      } else if ((kw === 'ROLLBACK' || kw === 'ABORT') && !/^\s*ROLLBACK\s+TO\b/i.test(String(text))) {
        t.rollbacks++;
        conn.inTransaction = false;
      } else if (!conn.inTransaction) {
        t.standalone++;
      }
    }
    let settled = false;
    return () => {
      if (settled) return;
      settled = true;
      conn.outstanding--;
    };
  }
}

const firstKeyword = (text: string): string => statementKeywords(text)[0] ?? '';

function settleThen(done: () => void, callback: unknown): (...args: unknown[]) => unknown {
  return (...args: unknown[]) => {
    done();
    return (callback as (...a: unknown[]) => unknown)(...args);
  };
}

/** A submittable (cursor, stream) without a callback: settle on its `end` or `error`. */
function onceEnded(config: unknown, done: () => void): void {
  const emitter = config as { once?: (event: string, fn: () => void) => void } | null;
  emitter?.once?.('end', done);
  emitter?.once?.('error', done);
}

/** Field-wise sum of tallies. */
export function sumTallies(tallies: Iterable<SqlTally>): SqlTally {
  const sum = emptyTally();
  for (const t of tallies) for (const k of Object.keys(sum) as (keyof SqlTally)[]) sum[k] += t[k];
  return sum;
}
