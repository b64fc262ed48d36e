/**
 * Who is calling the LangGraph-compatible surface. LangGraph's embed server calls our
 * `ThreadSaver` without a request in hand, so the caller travels in an
 * AsyncLocalStorage set around each request (`mount.ts`).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Principal } from '../auth/authenticator.ts';

const calls = new AsyncLocalStorage<Principal>();

/** Runs `fn` on behalf of `principal`. */
export function asCaller<T>(principal: Principal, fn: () => T): T {
  return calls.run(principal, fn);
}

/** The caller of the request being served. @throws Error outside a request (a bug, not a client's doing) */
export function caller(): Principal {
  const p = calls.getStore();
  if (!p) throw new Error('langgraph surface: no caller outside a request');
  return p;
}
