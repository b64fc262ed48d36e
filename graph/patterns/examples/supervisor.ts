/**
 * The supervisor example, an editorial desk: an `editor` supervisor dispatches to
 * `research`, `write` and `review` until the review approves the draft. Research runs
 * until there are two notes, a rejected draft is rewritten, an approved one ends the
 * loop: six dispatches for any topic (research, research, write, review, write, review),
 * then `done`; at most eight.
 */
import { z } from 'zod';
import { END, START } from '../../workflow.ts';
import type { WorkflowDefinition } from '../../workflow.ts';
import { assemble } from '../parts.ts';
import { supervisor, type SupervisorView } from '../supervisor.ts';
import { exampleStage, type ExampleOptions } from './kit.ts';

const Notes = z.object({ notes: z.array(z.string()) });
const Draft = z.object({ draft: z.string(), version: z.number().int() });
const Review = z.object({ approved: z.boolean(), comments: z.string() });

/** What the editor's rules read: small, so each dispatch's record stays readable. */
interface Desk {
  rounds: number;
  last: string | null;
  notes: number;
  version: number;
  approved: boolean;
}

function desk(v: SupervisorView): Desk {
  const notes = (v.outputs.research as z.infer<typeof Notes> | undefined)?.notes.length ?? 0;
  const version = (v.outputs.write as z.infer<typeof Draft> | undefined)?.version ?? 0;
  const review = v.outputs.review as z.infer<typeof Review> | undefined;
  return { rounds: v.rounds, last: v.last ?? null, notes, version, approved: review?.approved === true && v.last === 'review' };
}

export function supervisorExample(options: ExampleOptions = {}): WorkflowDefinition {
  const research = exampleStage('research', 'Gathers one more note on the topic',
    { input: z.object({ topic: z.string(), notes: z.array(z.string()).optional() }), output: Notes },
    ({ topic, notes = [] }) => ({ notes: [...notes, `note ${notes.length + 1} on ${topic}`] }), options);
  const write = exampleStage('write', 'Writes (or rewrites) the draft from the notes',
    { input: z.object({ topic: z.string(), notes: z.array(z.string()), version: z.number().int().optional() }), output: Draft },
    ({ topic, notes, version = 0 }) => ({ draft: `${topic}: ${notes.join('; ')} (v${version + 1})`, version: version + 1 }), options);
  const review = exampleStage('review', 'Approves a draft from its second version on',
    { input: Draft, output: Review },
    ({ version }) => (version >= 2 ? { approved: true, comments: 'ready' } : { approved: false, comments: 'tighten the argument' }), options);

  const editor = supervisor<Desk>({
    name: 'editor',
    description: 'Dispatches research, writing and review until the draft is approved',
    workers: [research, write, review],
    inputs: desk,
    maxIterations: 8,
    then: END,
    rules: [
      { id: 'approved', when: (d) => d.approved, choose: 'done', because: 'the review approved the draft', confidence: 1, priority: 3 },
      { id: 'research-first', when: (d) => d.notes < 2, choose: 'research', because: (d) => `only ${d.notes} note(s): two are needed before writing`, confidence: 0.9, priority: 2 },
      { id: 'draft', when: (d) => d.version === 0 || (d.last === 'review' && !d.approved), choose: 'write', because: (d) => (d.version === 0 ? 'enough notes and no draft yet' : 'the review asked for changes'), confidence: 0.9, priority: 1 },
      { id: 'review-new-draft', when: (d) => d.last === 'write', choose: 'review', because: (d) => `draft v${d.version} has not been reviewed`, confidence: 0.9, priority: 1 },
    ],
  });
  return assemble({
    id: 'patterns-supervisor',
    description: 'Supervisor pattern: an editor dispatches research, writing and review until the draft is approved',
    blocks: [editor],
    edges: [{ from: START, to: editor.entry }],
    summarize: (s) => [`draft: ${(s.outputs.write as z.infer<typeof Draft> | undefined)?.draft ?? '(none)'}`, `dispatches: ${s.iterations.editor ?? 0}`],
  });
}
