/**
 * A process of the hooks crash test: opens the stagegraph on DATABASE_URL with hooks
 * timing out after HOOK_TIMEOUT_MS, registers a webhook to HOOK_URL on carol's completed
 * runs, runs one to the end, prints `run <id> hook <id>`, and stays up (its dispatcher
 * is then POSTing the delivery) until it is killed.
 */
import { createStagegraph } from '../../graph/runtime.ts';
import { stage } from '../fixtures/stages.ts';
import { sequence } from '../fixtures/workflows.ts';

const sg = await createStagegraph({
  workflows: [sequence('three', [stage('a'), stage('b'), stage('c')])],
  recover: false,
  hooks: { timeoutMs: Number(process.env.HOOK_TIMEOUT_MS), pollMs: 50 },
});
const { hook } = await sg.hooks.create({ owner: 'carol', url: process.env.HOOK_URL!, events: ['run.completed'] });
const row = await sg.runs.start({ workflowId: 'three', request: { n: 0 }, owner: 'carol' });
await sg.runs.wait(row.id);
process.stdout.write(`run ${row.id} hook ${hook.id}\n`);
setInterval(() => undefined, 60_000);
