/**
 * The handoff example, a release note: `draft` writes it, `edit` tightens it, `publish`
 * files it. Each of `draft` and `edit` hands off only through its gate: a zod schema
 * and rules (a summary of at least 20 characters, no "TODO" left). A draft that fails
 * runs again once; if it fails again, `draft-review` asks a person for a corrected
 * summary (or to accept it), and the answer is checked against the gate too.
 */
import { z } from 'zod';
import { END, START, type WorkflowDefinition } from '../../workflow.ts';
import { handoff } from '../handoff.ts';
import { assemble } from '../parts.ts';
import { exampleStage, type ExampleOptions } from './kit.ts';

const Change = z.object({ title: z.string(), details: z.string().default('') });
const Note = z.object({ title: z.string(), summary: z.string() });

const summaryOf = (o: unknown) => String((o as { summary?: unknown } | undefined)?.summary ?? '');

export function handoffExample(options: ExampleOptions = {}): WorkflowDefinition {
  const draft = exampleStage('draft', 'Drafts the release note from the change',
    { input: Change, output: Note },
    ({ title, details }) => ({ title, summary: details ? `${title}: ${details}` : `${title}: TODO` }), options);
  const edit = exampleStage('edit', 'Tightens the note',
    { input: Note, output: Note },
    ({ title, summary }) => ({ title, summary: summary.replace(/\s+/g, ' ').trim() }), options);
  const publish = exampleStage('publish', 'Files the note',
    { input: Note, output: z.object({ published: z.string() }) },
    ({ title, summary }) => ({ published: `## ${title}\n${summary}` }), options);
  const gate = {
    schema: Note,
    rules: [
      { id: 'long-enough', check: (o: unknown) => summaryOf(o).length >= 20, message: 'the summary is shorter than 20 characters' },
      { id: 'no-todo', check: (o: unknown) => !summaryOf(o).includes('TODO'), message: 'the summary still says TODO' },
    ],
  };
  const notes = handoff({ name: 'release-note', stages: [draft, edit, publish], gates: { draft: gate, edit: gate }, retries: 1, onExhausted: 'ask', then: END });
  return assemble({
    id: 'patterns-handoff',
    description: 'Handoff pattern: draft, edit and publish, each handoff behind a quality gate that retries, then asks',
    blocks: [notes],
    edges: [{ from: START, to: notes.entry }],
  });
}
