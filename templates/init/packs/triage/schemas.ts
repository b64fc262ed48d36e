/** What flows between the triage stages: a support ticket as text, read, then answered. */
import { z } from 'zod';

export const TicketText = z.object({
  /** The ticket as the customer wrote it. */
  text: z.string().trim().min(5, 'a ticket needs a few words'),
});

export const Severity = z.enum(['low', 'normal', 'high', 'critical']);
export const Tier = z.enum(['free', 'pro', 'enterprise']);

export const Ticket = z.object({
  text: z.string(),
  /** The product area the ticket is about, or `unknown`. */
  area: z.enum(['billing', 'login', 'checkout', 'api', 'unknown']),
  severity: Severity,
  tier: Tier,
  /** How many customers the writer says are affected (1 when not said). */
  affected: z.number().int().min(1),
  /** The words that set area and severity, for the explanation. */
  signals: z.array(z.string()),
});
export type Ticket = z.infer<typeof Ticket>;

export const Reply = z.object({
  subject: z.string(),
  body: z.string(),
  /** The help article the reply points to. */
  article: z.string(),
});
export type Reply = z.infer<typeof Reply>;
