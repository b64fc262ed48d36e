/**
 * Who is calling the LangGraph-compatible surface, and the request's id and log.
 * LangGraph's embed server calls our `ThreadSaver` without a request in hand, so the
 * call travels in an AsyncLocalStorage set around each request (`mount.ts`).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Principal } from '../auth/authenticator.ts';
import type { AppState } from '../http/state.ts';

export interface Call {
  principal: Principal;
  requestId: string;
  log: AppState['log'];
}

const calls = new AsyncLocalStorage<Call>();

/** Runs `fn` as `call`. */
export function asCall<T>(call: Call, fn: () => T): T {
  return calls.run(call, fn);
}

/** The request being served. @throws Error outside a request (a bug, not a client's doing) */
export function currentCall(): Call {
  const c = calls.getStore();
  if (!c) throw new Error('langgraph surface: no caller outside a request');
  return c;
}

/** The caller of the request being served. */
export function caller(): Principal {
  return currentCall().principal;
}
