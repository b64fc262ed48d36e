/**
 * Writes docs/template.schema.json: the workflow template format as JSON Schema, as
 * `GET /api/workflows/template.schema.json` serves it. `test/templates.test.ts` fails
 * when the committed copy is stale. Run: `npx tsx scripts/template-schema.ts`.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PATTERNS } from '../graph/patterns/catalogue.ts';
import { templateJsonSchema } from '../graph/templates/schema.ts';

export const TEMPLATE_SCHEMA_FILE = fileURLToPath(new URL('../docs/template.schema.json', import.meta.url));

/** The file's text: the schema with the id the server gives it, two-space indented. */
export function templateSchemaText(): string {
  return `${JSON.stringify({ $id: '/api/workflows/template.schema.json', ...templateJsonSchema(PATTERNS) }, null, 2)}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(TEMPLATE_SCHEMA_FILE, templateSchemaText());
  console.log(`wrote ${TEMPLATE_SCHEMA_FILE}`);
}
