/**
 * `draft-reply`: drafts the first answer to a ticket the `handling` decision left to
 * automation, pointing to the help article of its area.
 */
import type { StagePlugin } from 'stagegraph';
import { Reply, Ticket } from '../schemas.ts';

const ARTICLES: Record<Ticket['area'], string> = {
  billing: 'https://help.example.com/billing',
  login: 'https://help.example.com/sign-in',
  checkout: 'https://help.example.com/checkout',
  api: 'https://help.example.com/api',
  unknown: 'https://help.example.com',
};

export const draftReply: StagePlugin<typeof Ticket, typeof Reply> = {
  name: 'draft-reply',
  version: '0.1.0',
  description: 'Drafts the first reply to a ticket, with the help article of its area',
  capabilities: ['reply-drafting'],
  input: Ticket,
  output: Reply,
  policy: { estimateMs: 5, timeoutMs: 1000 },
  async run(ticket, ctx) {
    ctx.signal.throwIfAborted();
    const topic = ticket.area === 'unknown' ? 'your question' : `your ${ticket.area} issue`;
    return {
      subject: `Re: ${topic}`,
      body: `Thanks for reaching out about ${topic}. These steps solve most cases: ${ARTICLES[ticket.area]}. Reply to this message if they do not, and we will take it from there.`,
      article: ARTICLES[ticket.area],
    };
  },
};
