/**
 * The process the recovery crash test kills: opens the test's database, runs the saga
 * workflow (stage `d` broken) to `failed`, then asks for a rollback to before `b`
 * (RECOVERY_MODE=rollback) or an abort (RECOVERY_MODE=abort). It kills itself with
 * SIGKILL as soon as the first compensation's result is durable: between two
 * compensations. Prints `{"runId": ...}` once the run has failed.
 */
import { createStagegraph } from '../../graph/runtime.ts';
import { sagaWorkflow } from '../fixtures/recovery.ts';

const journal = process.env.RECOVERY_JOURNAL;
const mode = process.env.RECOVERY_MODE;
if (!journal || (mode !== 'rollback' && mode !== 'abort')) throw new Error('RECOVERY_JOURNAL and RECOVERY_MODE (rollback | abort) must be set');

const sg = await createStagegraph({ workflows: [sagaWorkflow(journal, { fail: new Set(['d']) })], recover: false, databaseOptions: { max: 4 } });
const run = await sg.runs.start({ workflowId: 'saga', request: { n: 0 } });
if ((await sg.runs.wait(run.id)).status !== 'failed') throw new Error('the saga run should have failed at d');
process.stdout.write(`${JSON.stringify({ runId: run.id })}\n`);

// The bus publishes an event once it is in the log: the saga awaits that before the next compensation.
sg.bus.subscribe(run.id, (e) => {
  if (e.type === 'workflow.stage_changed' && e.payload.change === 'compensated') process.kill(process.pid, 'SIGKILL');
});
if (mode === 'rollback') await sg.runs.recover(run.id, { action: 'rollback', by: 'child', reason: 'crash test', stage: 'b' });
else await sg.runs.recover(run.id, { action: 'abort', by: 'child', reason: 'crash test' });
await sg.runs.wait(run.id);
throw new Error('the child should have been killed between two compensations');
