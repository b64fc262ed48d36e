/**
 * `read-ticket`: reads a support ticket in plain English into its area, severity,
 * customer tier and reach, by keyword rules. The words that decided each field are
 * kept as `signals`, so the decision after it can say why.
 */
import type { StagePlugin } from 'stagegraph';
import { Ticket, TicketText } from '../schemas.ts';

const AREAS: [Ticket['area'], RegExp][] = [
  ['checkout', /\b(checkout|cart|payment failed|order)\b/i],
  ['billing', /\b(invoice|billing|charged|refund|subscription)\b/i],
  ['login', /\b(log ?in|sign ?in|password|2fa|locked out)\b/i],
  ['api', /\b(api|webhook|sdk|rate limit|endpoint)\b/i],
];
const SEVERITIES: [Ticket['severity'], RegExp][] = [
  ['critical', /\b(down|outage|all (of )?(our )?customers|data loss|security|breach)\b/i],
  ['high', /\b(urgent|asap|cannot|can't|blocked|error 5\d\d)\b/i],
  ['low', /\b(question|how do i|feature request|typo)\b/i],
];
const TIERS: [Ticket['tier'], RegExp][] = [
  ['enterprise', /\b(enterprise|sla|contract)\b/i],
  ['pro', /\b(pro plan|pro account|paid plan)\b/i],
];

function first<T>(table: [T, RegExp][], text: string, fallback: T, signals: string[]): T {
  for (const [value, re] of table) {
    const m = re.exec(text);
    if (m) {
      signals.push(m[0]);
      return value;
    }
  }
  return fallback;
}

export const readTicket: StagePlugin<typeof TicketText, typeof Ticket> = {
  name: 'read-ticket',
  version: '0.1.0',
  description: 'Reads a support ticket into area, severity, customer tier and reach',
  capabilities: ['ticket-reading'],
  input: TicketText,
  output: Ticket,
  policy: { estimateMs: 5, timeoutMs: 1000 },
  async run({ text }, ctx) {
    ctx.signal.throwIfAborted();
    const signals: string[] = [];
    const area = first(AREAS, text, 'unknown', signals);
    const severity = first(SEVERITIES, text, 'normal', signals);
    const tier = first(TIERS, text, 'free', signals);
    const count = /\b(\d[\d,]*)\s+(customers|users|accounts)\b/i.exec(text);
    const affected = count ? Number(count[1]!.replace(/,/g, '')) : 1;
    if (count) signals.push(count[0]);
    return { text, area, severity, tier, affected, signals };
  },
};
