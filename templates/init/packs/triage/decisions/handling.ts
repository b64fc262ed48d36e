/**
 * `handling`: whether a ticket gets an automatic first reply or goes to a person.
 * Rules decide what they can, each with its reason; the LLM (when one is configured)
 * is asked only when no rule decides, and without one the default applies, flagged as
 * such in the decision record.
 */
import type { DecisionPoint } from 'stagegraph';
import type { Ticket } from '../schemas.ts';

export const handling: DecisionPoint<Ticket> = {
  name: 'handling',
  description: 'Automatic first reply, or escalation to the on-call engineer',
  options: ['auto-reply', 'escalate'],
  inputs: (state) => state.outputs['read-ticket'] as Ticket,
  rules: [
    {
      id: 'critical-escalates',
      when: (t) => t.severity === 'critical',
      choose: 'escalate',
      because: (t) => `A critical ticket goes to a person at once (signals: ${t.signals.join(', ')})`,
      confidence: 0.95,
      priority: 10,
      safety: true,
    },
    {
      id: 'enterprise-high-escalates',
      when: (t) => t.tier === 'enterprise' && t.severity === 'high',
      choose: 'escalate',
      because: 'An enterprise customer blocked by a high-severity problem is covered by the SLA',
      confidence: 0.9,
    },
    {
      id: 'known-area-auto-reply',
      when: (t) => t.area !== 'unknown' && (t.severity === 'low' || t.severity === 'normal'),
      choose: 'auto-reply',
      because: (t) => `A ${t.severity}-severity ${t.area} ticket is answered by its help article`,
      confidence: 0.8,
    },
  ],
  default: 'escalate',
  prompt: 'Escalate when a person is needed to unblock the customer; auto-reply when a help article answers the ticket.',
  whyNot: (t, option) => (option === 'auto-reply' ? `a ${t.severity}-severity ticket needs a person` : 'a help article answers it'),
};
