/**
 * The swarm example, a triage panel: one `classify` stage run three times with
 * different thresholds (`variants`), in parallel; a majority decides the label, the
 * dissenting voter is recorded as the alternative, and `route-ticket` files the ticket
 * with the winning classification.
 */
import { z } from 'zod';
import { END, START, type WorkflowDefinition } from '../../workflow.ts';
import { assemble } from '../parts.ts';
import { sequential } from '../sequential.ts';
import { swarm, variants } from '../swarm.ts';
import { exampleStage, type ExampleOptions } from './kit.ts';

const Ticket = z.object({ text: z.string(), severity: z.number().min(0).max(10) });
const Label = z.object({ label: z.enum(['urgent', 'routine']), threshold: z.number() });

export function swarmExample(options: ExampleOptions = {}): WorkflowDefinition {
  const classify = exampleStage('classify', 'Labels a ticket urgent at or above its severity threshold',
    { input: Ticket.extend({ threshold: z.number().default(5) }), output: Label },
    ({ severity, threshold }) => ({ label: severity >= threshold ? ('urgent' as const) : ('routine' as const), threshold }), options);
  const voters = variants(classify, [
    { name: 'lenient', params: { threshold: 3 } },
    { name: 'balanced', params: { threshold: 5 } },
    { name: 'strict', params: { threshold: 8 } },
  ]);
  const file = exampleStage('route-ticket', 'Files the ticket in the queue of its label',
    { input: Label, output: z.object({ queue: z.string() }) },
    ({ label }) => ({ queue: label === 'urgent' ? 'on-call' : 'backlog' }), options);
  const panel = swarm({ name: 'triage-vote', voters, vote: (o) => (o as z.infer<typeof Label>).label, method: 'majority', then: file.name });
  const filing = sequential({ name: 'filing', stages: [file], then: END });
  return assemble({
    id: 'patterns-swarm',
    description: 'Swarm pattern: three classifiers vote in parallel, a majority decides, dissent is recorded',
    blocks: [panel, filing],
    edges: [{ from: START, to: panel.entry }],
  });
}
