/**
 * The triage workflow: a ticket in, an explained handling decision and (when it is
 * automatic) a drafted reply out.
 *
 *   read-ticket -> handling: auto-reply -> draft-reply
 *                            escalate   -> end (the decision record says why)
 */
import { defineWorkflow, END, START } from 'stagegraph';
import { handling } from './decisions/handling.ts';
import { draftReply } from './stages/draft-reply.ts';
import { readTicket } from './stages/read-ticket.ts';

export const triageWorkflow = defineWorkflow({
  id: 'triage',
  description: 'Reads a support ticket, decides how to handle it and drafts the first reply',
  stages: [readTicket, draftReply],
  decisions: [handling],
  edges: [
    { from: START, to: 'read-ticket' },
    { from: 'read-ticket', to: 'handling' },
    { from: 'handling', routes: { 'auto-reply': 'draft-reply', escalate: END } },
    { from: 'draft-reply', to: END },
  ],
  // The request is the ticket's text, or { text }.
  request: (request) => (typeof request === 'string' ? { text: request } : request),
  summarize: (state) => {
    const decision = state.decisions.handling;
    const reply = state.outputs['draft-reply'] as { subject: string; article: string } | undefined;
    return [
      decision ? `handling: ${decision.chosen} (${decision.method}): ${decision.explanation}` : 'handling: not decided',
      reply ? `reply: ${reply.subject}, pointing to ${reply.article}` : 'reply: none (escalated to a person)',
    ];
  },
});
