/**
 * `serve()`: the whole service in one call, for `stagegraph serve`. Opens the
 * stagegraph with the built-in workflows, starts the server, prints its URL (and, in
 * local mode, a fresh API key), and on SIGTERM/SIGINT closes the server and drains
 * executing runs to a checkpoint (they continue on the next start).
 */
import type { Logger } from 'pino';
import { pino } from 'pino';
import { createStagegraph, type Stagegraph, type StagegraphOptions } from '../graph/runtime.ts';
import type { WorkflowDefinition } from '../graph/workflow.ts';
import { builtinWorkflows } from '../plugins/index.ts';
import { createApiKey } from './auth/api-keys.ts';
import { createServer, type StagegraphServer } from './create-server.ts';
import type { AuthOptions, Limits } from './options.ts';

export interface ServeOptions {
  /** @default 8080 (or $PORT) */
  port?: number;
  /** @default "127.0.0.1" */
  host?: string;
  /**
   * `'local'`: API keys, with one created for owner `local` and printed at start.
   * `'none'`: no authentication (everyone is `local`). Or full `AuthOptions`.
   * @default "local"
   */
  auth?: 'local' | 'none' | AuthOptions;
  /** @default builtinWorkflows() */
  workflows?: WorkflowDefinition[];
  limits?: Limits;
  logger?: Logger;
  /** Passed to `createStagegraph` (database, deps, ...). */
  stagegraph?: Omit<StagegraphOptions, 'workflows'>;
  /** Where lines for a person go (URL, key). @default console.log */
  print?: (line: string) => void;
  /** Install SIGTERM/SIGINT handlers that close and exit. @default true */
  handleSignals?: boolean;
}

export interface Serving {
  url: string;
  port: number;
  stagegraph: Stagegraph;
  server: StagegraphServer;
  /** The API key created at start in `'local'` mode. */
  apiKey?: string;
  /** Closes the server, then drains runs and closes the stagegraph. */
  close(): Promise<void>;
}

/**
 * @example await serve({ port: 8080 }); // prints the URL and a local API key
 */
export async function serve(options: ServeOptions = {}): Promise<Serving> {
  const print = options.print ?? ((line: string) => console.log(line));
  const logger = options.logger ?? pino({ name: 'stagegraph' });
  const sg = await createStagegraph({ ...options.stagegraph, workflows: options.workflows ?? builtinWorkflows() });
  const mode = options.auth ?? 'local';
  const auth: AuthOptions = mode === 'local' ? { mode: 'token' } : mode === 'none' ? { mode: 'none' } : mode;
  let server: StagegraphServer | undefined;
  try {
    server = createServer({ stagegraph: sg, auth, limits: options.limits, logger });
    const { url, port } = await server.listen(options.port ?? Number(process.env.PORT ?? 8080), options.host ?? '127.0.0.1');
    let apiKey: string | undefined;
    print(`stagegraph listening on ${url}  (OpenAPI: ${url}/openapi.json, events: ${url.replace(/^http/, 'ws')}/api/agent/progress)`);
    if (mode === 'local') {
      apiKey = (await createApiKey(sg.db, 'local', { name: 'serve' })).key;
      print(`local API key (shown once): ${apiKey}`);
      print(`  curl -H 'Authorization: Bearer ${apiKey}' ${url}/api/agent/runs`);
    }
    const srv = server;
    let closing: Promise<void> | undefined;
    const close = () => (closing ??= srv.close().finally(() => sg.close()));
    if (options.handleSignals ?? true) {
      const onSignal = (signal: NodeJS.Signals) => {
        logger.info({ signal }, 'draining runs and shutting down');
        close().then(() => process.exit(0), (err) => (logger.error({ err }, 'shutdown failed'), process.exit(1)));
      };
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
    }
    return { url, port, stagegraph: sg, server: srv, apiKey, close };
  } catch (e) {
    await server?.close().catch(() => undefined);
    await sg.close();
    throw e;
  }
}
