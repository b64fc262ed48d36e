/**
 * The process the crash test kills: opens the database the test gives it (DATABASE_URL,
 * or the embedded server in STAGEGRAPH_HOME, joined through postmaster.pid), starts one
 * run of the crash workflow, prints `{"runId": ...}` and keeps running until SIGKILL.
 */
import { createStagegraph } from '../../graph/runtime.ts';
import { crashWorkflow } from '../fixtures/crash.ts';

const journal = process.env.CRASH_JOURNAL;
if (!journal) throw new Error('CRASH_JOURNAL is not set');

const sg = await createStagegraph({ workflows: [crashWorkflow(journal)], recover: false, databaseOptions: { max: 4 } });
const run = await sg.runs.start({ workflowId: 'crash', request: { n: 0 } });
process.stdout.write(`${JSON.stringify({ runId: run.id })}\n`);
setInterval(() => undefined, 60_000);
