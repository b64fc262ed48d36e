/**
 * The process the patterns crash test kills: opens the database the test gives it,
 * registers the patterns examples pack journaling every stage start and end to
 * PATTERNS_JOURNAL (synchronously: a SIGKILL loses no line), with PATTERNS_DELAYS
 * (JSON, ms by stage), starts one run of PATTERNS_WORKFLOW with PATTERNS_REQUEST,
 * prints `{"runId": ...}` and keeps running until killed.
 */
import { createStagegraph } from '../../graph/runtime.ts';
import { journaledPatternsPack } from './patterns-journal.ts';

const { PATTERNS_JOURNAL: journal, PATTERNS_WORKFLOW: workflowId, PATTERNS_REQUEST: request, PATTERNS_DELAYS: delays } = process.env;
if (!journal || !workflowId || !request) throw new Error('PATTERNS_JOURNAL, PATTERNS_WORKFLOW and PATTERNS_REQUEST must be set');

const sg = await createStagegraph({ packs: [journaledPatternsPack(journal, JSON.parse(delays ?? '{}'))], recover: false, databaseOptions: { max: 4 } });
const run = await sg.runs.start({ workflowId, request: JSON.parse(request) });
process.stdout.write(`${JSON.stringify({ runId: run.id })}\n`);
setInterval(() => undefined, 60_000);
