/**
 * A process the read-only CLI test kills: starts one run of the held workflow
 * (SG_HOLD_DIR) on DATABASE_URL, prints `{"runId": ...}` and runs until SIGKILL, its
 * `hold` stage in flight: the run is left `running` by a dead process.
 */
import { createStagegraph } from '../../graph/runtime.ts';
import { heldWorkflow } from '../fixtures/held.ts';

const dir = process.env.SG_HOLD_DIR;
if (!dir) throw new Error('SG_HOLD_DIR is not set');
const sg = await createStagegraph({ workflows: [heldWorkflow(dir)], recover: false, databaseOptions: { max: 4 } });
const run = await sg.runs.start({ workflowId: 'held', request: { n: 0 } });
process.stdout.write(`${JSON.stringify({ runId: run.id })}\n`);
setInterval(() => undefined, 60_000);
