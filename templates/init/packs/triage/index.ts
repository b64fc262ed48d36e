/** The triage pack: its stages, its decision point and its workflow, as one unit. */
import { definePack } from 'stagegraph';
import { triageWorkflow } from './workflow.ts';

export const triagePack = definePack({
  id: 'triage',
  version: '0.1.0',
  stagegraph: '^0.1',
  description: 'Support ticket triage: read, decide, reply',
  workflows: [triageWorkflow],
});

export { triageWorkflow };
export { readTicket } from './stages/read-ticket.ts';
export { draftReply } from './stages/draft-reply.ts';
export { handling } from './decisions/handling.ts';
