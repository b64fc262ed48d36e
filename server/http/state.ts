/** What every request carries through the middleware chain. */
import type { Logger } from 'pino';
import type { Principal } from '../auth/authenticator.ts';

export interface AppState {
  requestId: string;
  /** The request's logger: every line carries `requestId`. */
  log: Logger;
  /** Set by authentication on protected routes. */
  principal?: Principal;
  /** The matched route template (OpenAPI path), for logs and metrics. */
  route?: string;
}
