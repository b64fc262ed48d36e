/**
 * A delivery survives the process that was attempting it: a real child process runs a
 * run, its dispatcher POSTs the hook delivery to a receiver that never answers the first
 * request, and the child is SIGKILLed mid-attempt. A stagegraph started afterwards on the
 * same database finds the delivery once the dead attempt's lease (timeout + 5 s) is over
 * and delivers it: attempt 2, the only one recorded, at least a lease after attempt 1
 * was claimed. A process that shuts down mid-attempt gives the delivery back uncounted.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HookDelivery } from '../graph/hooks/index.ts';
import { createStagegraph, type Stagegraph } from '../graph/runtime.ts';
import { stage } from './fixtures/stages.ts';
import { sequence } from './fixtures/workflows.ts';
import { testDatabase, type TestDatabase } from './support/db.ts';
import { start, type Proc } from './support/processes.ts';
import { until } from './support/runs.ts';

const TIMEOUT_MS = 1500;
const LEASE_MS = TIMEOUT_MS + 5000;

let t: TestDatabase;
let sg: Stagegraph | undefined;
let child: Proc | undefined;
const requests: { delivery: HookDelivery; at: number }[] = [];
let firstArrived: () => void;
const first = new Promise<void>((r) => (firstArrived = r));
const hanging = new Set<http.ServerResponse>();
let hangArrived: () => void;
const hang = new Promise<void>((r) => (hangArrived = r));
// On /hook the first request is left unanswered (the child dies holding it), later ones get 204; /hang is never answered.
const receiver = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    if (req.url === '/hang') {
      hanging.add(res);
      return hangArrived();
    }
    requests.push({ delivery: JSON.parse(Buffer.concat(chunks).toString('utf8')) as HookDelivery, at: Date.now() });
    if (requests.length === 1) {
      hanging.add(res);
      firstArrived();
    } else res.writeHead(204).end();
  });
});

beforeAll(async () => {
  t = await testDatabase({ max: 10 });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
});
afterAll(async () => {
  child?.child.kill('SIGKILL');
  await sg?.close();
  for (const res of hanging) res.destroy();
  receiver.closeAllConnections();
  await new Promise<void>((r) => receiver.close(() => r()));
  await t?.drop();
});

describe('a process killed mid-delivery', () => {
  it('leaves the delivery to the next process, which delivers it once the lease is over', async () => {
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    child = start(['--import', 'tsx', 'test/support/hooks-child.ts'], { ...t.childEnv, HOOK_URL: url, HOOK_TIMEOUT_MS: String(TIMEOUT_MS) });
    const [, runId, hookId] = /^run (\S+) hook (\S+)$/.exec(await child.line(/^run \S+ hook \S+$/))!;
    await first;
    child.child.kill('SIGKILL');
    expect((await child.exited).signal).toBe('SIGKILL');
    const { rows: [claimed] } = await t.db.pool.query<{ status: string; attempts: number; history: unknown[] }>(
      'SELECT status, attempts, history FROM sg_hook_deliveries WHERE run_id = $1', [runId]);
    // Claimed (attempt 1 counted), never finished.
    expect(claimed).toEqual({ status: 'pending', attempts: 1, history: [] });

    sg = await createStagegraph({ database: t.db, recover: false, hooks: { pollMs: 50, sweepMs: 100 } });
    const [delivery] = await until(async () => {
      const all = await sg!.hooks.forRun(runId!);
      return all[0]?.status === 'delivered' ? all : undefined;
    }, 30_000, 'the delivery delivered by the next process');
    expect(delivery).toMatchObject({ hookId, event: 'run.completed', status: 'delivered', attempts: 2, lastError: null });
    expect(delivery!.history.map((a) => [a.attempt, a.ok, a.status])).toEqual([[2, true, 204]]);
    expect(requests.map((r) => [r.delivery.id, r.delivery.attempt])).toEqual([[delivery!.id, 1], [delivery!.id, 2]]);
    // The second attempt waited for the first one's lease (both times by the database clock).
    const { rows: [times] } = await t.db.pool.query<{ created: Date }>('SELECT created_at AS created FROM sg_hook_deliveries WHERE id = $1', [delivery!.id]);
    expect(Date.parse(delivery!.history[0]!.at) - times!.created.getTime()).toBeGreaterThanOrEqual(LEASE_MS);
    await sg.close();
    sg = undefined;
  });

  it('a process that shuts down mid-attempt gives the delivery back, the attempt uncounted', async () => {
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hang`;
    const own = await createStagegraph({ database: t.db, recover: false, workflows: [sequence('three', [stage('a'), stage('b'), stage('c')])], hooks: { pollMs: 50 } });
    const { hook } = await own.hooks.create({ owner: 'dave', url, events: ['run.completed'] });
    const row = await own.runs.start({ workflowId: 'three', request: { n: 0 }, owner: 'dave' });
    await own.runs.wait(row.id);
    await hang;
    await own.close();
    const { rows } = await t.db.pool.query<{ hook_id: string; status: string; attempts: number; history: unknown[]; due: boolean }>(
      'SELECT hook_id, status, attempts, history, next_at <= now() AS due FROM sg_hook_deliveries WHERE run_id = $1', [row.id]);
    expect(rows).toEqual([{ hook_id: hook.id, status: 'pending', attempts: 0, history: [], due: true }]);
  });
});
