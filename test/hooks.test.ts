/**
 * Hooks without a database: which run events are which hook events, the declaration
 * rules packs and the API share (refused packs name the hook and field), the backoff
 * schedule, and the signature a receiver checks.
 */
import { describe, expect, it } from 'vitest';
import type { RunEvent, RunEventDraft } from '../graph/events/types.ts';
import { backoffDelay } from '../graph/hooks/dispatcher.ts';
import { hookEventOf, hookProblem, signBody, verifySignature, type PackHook } from '../graph/hooks/index.ts';
import { definePack, registerPacks } from '../graph/packs/index.ts';
import { isStagegraphError } from '../nodes/errors.ts';
import { stage } from './fixtures/stages.ts';
import { sequence } from './fixtures/workflows.ts';

const ev = (draft: RunEventDraft): RunEvent => ({ ...draft, runId: 'r', seq: 1, at: '2026-01-01T00:00:00.000Z' } as RunEvent);
const changed = (change: string) => ev({ type: 'workflow.stage_changed', payload: { stage: 's', change } } as RunEventDraft);
const error = { code: 'x', class: 'fatal' as const, message: 'x', details: {} };

describe('hook events', () => {
  it('are the run events a hook can hear, and nothing else', () => {
    expect([
      ev({ type: 'workflow.started', payload: { workflowId: 'w', request: {}, owner: 'o' } }),
      changed('started'), changed('completed'), changed('failed'), changed('skipped'), changed('step'), changed('compensated'),
      ev({ type: 'workflow.paused', payload: { reason: 'input', next: [] } }), ev({ type: 'workflow.paused', payload: { reason: 'pause', next: [] } }),
      ev({ type: 'workflow.completed', payload: { degraded: false, warnings: [], durationMs: 1 } }),
      ev({ type: 'workflow.failed', payload: { error } }),
      ev({ type: 'workflow.aborted', payload: { reason: 'r', compensated: [] } }),
      ev({ type: 'workflow.progress_updated', payload: { stage: 's', stagePct: 1, progressPct: 1, etaMs: 1 } }),
    ].map(hookEventOf)).toEqual([
      'run.started', 'stage.before', 'stage.after', 'stage.after', 'stage.after', undefined, undefined,
      'run.waiting_input', undefined, 'run.completed', 'run.failed', undefined, undefined,
    ]);
  });
});

describe('declaring a hook', () => {
  it('names the field at fault', () => {
    expect(hookProblem({ events: [] })?.field).toBe('events');
    expect(hookProblem({ events: ['run.finished'] })?.message).toMatch(/^events: 'run.finished' is not a hook event/);
    expect(hookProblem({ events: ['run.completed'], retries: 11 })?.field).toBe('retries');
    expect(hookProblem({ events: ['run.completed'], blocking: true })?.field).toBe('blocking');
    expect(hookProblem({ name: 'Bad Name', events: ['run.completed'] })?.field).toBe('name');
    expect(hookProblem({ name: 'ok', events: ['stage.before'], blocking: true, retries: 0 })).toBeUndefined();
  });

  it('in a pack: registered under <pack>/<name> for its own workflows; a bad one refuses the pack', () => {
    const run = () => undefined;
    const pack = (hooks: PackHook[]) => definePack({ id: 'p', version: '1.0.0', stagegraph: '^0.1', workflows: [sequence('w', [stage('a')])], hooks });
    const registry = registerPacks([pack([{ name: 'audit', events: ['run.completed'], run }])]);
    expect(registry.hooks.map((h) => [h.key, h.workflows])).toEqual([['p/audit', ['w']]]);
    const refusal = (hooks: PackHook[]) => {
      try {
        registerPacks([pack(hooks)]);
      } catch (e) {
        if (isStagegraphError(e, 'invalid_pack')) return [e.details.reason, e.details.hook, e.details.field, e.message];
        throw e;
      }
      return undefined;
    };
    expect(refusal([{ name: 'gate', events: ['run.completed'], blocking: true, run }])).toEqual(
      ['invalid_hook', 'gate', 'blocking', "pack 'p@1.0.0': hook 'gate': blocking: a blocking hook runs only on 'stage.before' (events must be ['stage.before'])"]);
    expect(refusal([{ name: 'a', events: ['run.completed'], run }, { name: 'a', events: ['run.failed'], run }])?.slice(0, 3)).toEqual(['invalid_hook', 'a', 'name']);
    expect(refusal([{ name: 'a', events: ['run.completed'], run: 'no' as unknown as PackHook['run'] }])?.slice(0, 3)).toEqual(['invalid_hook', 'a', 'run']);
  });
});

describe('delivery', () => {
  it('backs off exponentially from the base, up to the cap', () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay({ backoffMs: 1000, maxBackoffMs: 5000 }, n))).toEqual([1000, 2000, 4000, 5000, 5000]);
  });

  it('signs the exact body; a changed body or another secret does not verify', () => {
    const body = '{"id":"d","event":"run.completed"}';
    const header = signBody('s3cret', body);
    expect(header).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifySignature('s3cret', body, header)).toBe(true);
    expect(verifySignature('s3cret', Buffer.from(body), header)).toBe(true);
    expect(verifySignature('s3cret', `${body} `, header)).toBe(false);
    expect(verifySignature('other', body, header)).toBe(false);
    expect(verifySignature('s3cret', body, undefined)).toBe(false);
    expect(verifySignature('s3cret', body, 'sha256=00')).toBe(false);
  });
});
