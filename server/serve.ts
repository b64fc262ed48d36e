/**
 * `serve()`: the whole service in one call, for `stagegraph serve`. Opens the
 * stagegraph with the given packs (default: the built-in h2-tank pack) and workflows, starts the server, prints its URL (and, in
 * local mode on a database without an active API key, the first key, once), and on
 * SIGTERM/SIGINT closes the server, drains executing runs to a checkpoint (they
 * continue on the next start) and exits 0.
 */
import type { Logger } from 'pino';
import { pino } from 'pino';
import { createStagegraph, type Stagegraph, type StagegraphOptions } from '../graph/runtime.ts';
import type { Pack } from '../graph/packs/index.ts';
import type { WorkflowDefinition } from '../graph/workflow.ts';
import { builtinPacks } from '../plugins/index.ts';
import { ensureApiKey } from './auth/api-keys.ts';
import { createServer, type StagegraphServer } from './create-server.ts';
import type { AuthOptions, Limits } from './options.ts';
import { onShutdownSignals } from './signals.ts';

export interface ServeOptions {
  /** @default 8080 (or $PORT) */
  port?: number;
  /** @default "127.0.0.1" */
  host?: string;
  /**
   * `'local'`: API keys. When no active key exists, one is created for owner `local`
   * and printed once; later starts print how many are active (`stagegraph keys`).
   * `'none'`: no authentication (everyone is `local`). Or full `AuthOptions`.
   * @default "local"
   */
  auth?: 'local' | 'none' | AuthOptions;
  /** The packs to serve. @default builtinPacks() (h2-tank) when neither packs nor workflows are given */
  packs?: Pack[];
  /** Workflows registered besides the packs'. */
  workflows?: WorkflowDefinition[];
  limits?: Limits;
  /** The workflow of an orchestrate request that names none. @default "h2-tank" if registered, else the first one */
  defaultWorkflow?: string;
  logger?: Logger;
  /** Passed to `createStagegraph` (database, deps, ...). */
  stagegraph?: Omit<StagegraphOptions, 'workflows' | 'packs'>;
  /** Where lines for a person go (URL, key). @default console.log */
  print?: (line: string) => void;
  /**
   * Install SIGTERM/SIGINT handlers: the first closes and exits 0 (1 if closing fails),
   * a second is logged and ignored, a third exits at once. @default true
   */
  handleSignals?: boolean;
}

export interface Serving {
  url: string;
  port: number;
  stagegraph: Stagegraph;
  server: StagegraphServer;
  /** The API key created at this start (`'local'` mode, no active key before). */
  apiKey?: string;
  /** Closes the server, then drains runs and closes the stagegraph. */
  close(): Promise<void>;
}

/**
 * The handlers are installed before the stagegraph opens: a signal during startup
 * waits for the opening (and the runs it recovers) to finish, then drains and exits
 * like any other; `serve()` then never resolves, since the process is ending.
 * @example await serve({ port: 8080 }); // prints the URL and, the first time, a local API key
 */
export async function serve(options: ServeOptions = {}): Promise<Serving> {
  const print = options.print ?? ((line: string) => console.log(line));
  const logger = options.logger ?? pino({ name: 'stagegraph' });
  const mode = options.auth ?? 'local';
  const auth: AuthOptions = mode === 'local' ? { mode: 'token' } : mode === 'none' ? { mode: 'none' } : mode;
  const packs = options.packs ?? (options.workflows ? [] : builtinPacks());
  // A server delivers the events of every run, wherever it executes (relayEvents).
  const opening = createStagegraph({ gcEveryMs: 60 * 60 * 1000, relayEvents: true, ...options.stagegraph, packs, workflows: options.workflows ?? [] });
  let server: StagegraphServer | undefined;
  let closing: Promise<void> | undefined;
  let removeSignals: () => void = () => undefined;
  const close = () =>
    (closing ??= (async () => {
      const sg = await opening.catch(() => undefined);
      try {
        await server?.close();
      } finally {
        await sg?.close();
      }
    })().finally(() => removeSignals()));
  if (options.handleSignals ?? true) removeSignals = shutdownOnSignals(close, logger);

  const sg = await opening.catch((e: unknown) => {
    removeSignals();
    throw e;
  });
  // Startup interrupted by a signal: the signal's handler is closing and exits the process.
  const ending = () => new Promise<never>(() => undefined);
  try {
    if (closing) return ending();
    server = createServer({ stagegraph: sg, auth, limits: options.limits, logger, defaultWorkflow: options.defaultWorkflow });
    const { url, port } = await server.listen(options.port ?? Number(process.env.PORT ?? 8080), options.host ?? '127.0.0.1');
    if (closing) return ending();
    print(`stagegraph listening on ${url}  (OpenAPI: ${url}/openapi.json, events: ${url.replace(/^http/, 'ws')}/api/agent/progress)`);
    const apiKey = mode === 'local' ? await announceKeys(sg, url, print) : undefined;
    return { url, port, stagegraph: sg, server, apiKey, close };
  } catch (e) {
    if (closing) return ending();
    await close();
    throw e;
  }
}

/** The first signal closes and exits 0 (1 when closing fails); a second is logged; a third forces exit. */
function shutdownOnSignals(close: () => Promise<void>, logger: Logger): () => void {
  return onShutdownSignals({
    onFirst: (signal) => {
      logger.info({ signal }, 'draining runs and shutting down');
      close().then(
        () => (logger.info({ signal }, 'shut down'), process.exit(0)),
        (err: unknown) => (logger.error({ err }, 'shutdown failed'), process.exit(1)),
      );
    },
    onRepeat: (signal, count, forcing) =>
      forcing
        ? logger.warn({ signal, count }, 'forced exit before the drain finished: runs still executing are recovered on the next start')
        : logger.warn({ signal, count }, 'already draining runs; one more signal forces exit'),
  });
}

/** Local mode: the first key of an install, printed once; afterwards only how to manage keys. */
async function announceKeys(sg: Stagegraph, url: string, print: (line: string) => void): Promise<string | undefined> {
  const { created, active } = await ensureApiKey(sg.db, 'local', { name: 'first key' });
  if (!created) {
    print(`${active} active API key${active === 1 ? '' : 's'}  (stagegraph keys list | keys create | keys revoke <id>)`);
    return undefined;
  }
  print(`API key for owner local, shown only this once (stored as a hash): ${created.key}`);
  print(`  curl -H 'Authorization: Bearer ${created.key}' ${url}/api/agent/runs`);
  print(`  list keys: stagegraph keys list   new key: stagegraph keys create   revoke this one: stagegraph keys revoke ${created.id}`);
  return created.key;
}
