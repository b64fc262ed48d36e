import { defineConfig } from 'stagegraph';
import { h2TankPack } from 'stagegraph/packs/h2-tank';
import { retailSeasonPack } from './packs/retail-season/index.ts';

export default defineConfig({
  // The flagship is listed too, so `stagegraph serve` here shows both workflows.
  packs: [retailSeasonPack, h2TankPack],
  // database: { url: 'postgresql://...' },  // default: DATABASE_URL, else an embedded PostgreSQL in ./.stagegraph
  // llm: { baseUrl: 'http://127.0.0.1:11434/v1', model: 'llama3.1' },  // or OPENAI_API_KEY; asked only when no rule decides
});
