import { defineConfig } from 'stagegraph';
import { triagePack } from './packs/triage/index.ts';

export default defineConfig({
  packs: [triagePack],
  // database: { url: 'postgresql://...' },  // default: DATABASE_URL, else an embedded PostgreSQL in ./.stagegraph
  // server: { port: 8080 },
  // llm: { baseUrl: 'http://127.0.0.1:11434/v1', model: 'llama3.1' },  // or OPENAI_API_KEY; asked only when no rule decides
});
