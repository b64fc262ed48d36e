/** `serve()`: the whole service in one call, as `stagegraph serve` runs it. */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createClient } from '../client/index.ts';
import { serve } from '../server/index.ts';
import { testDatabase } from './support/db.ts';

describe('serve()', () => {
  it('serves the built-in workflows, prints the URL and a local API key that works, and closes cleanly', async () => {
    const database = await testDatabase();
    const printed: string[] = [];
    const s = await serve({ port: 0, handleSignals: false, logger: pino({ level: 'silent' }), print: (l) => printed.push(l), stagegraph: { database: database.db } });
    try {
      expect(printed[0]).toContain(s.url);
      expect(printed.join('\n')).toContain(s.apiKey!);
      const api = createClient({ baseUrl: s.url, token: s.apiKey });
      expect((await api.workflows()).workflows.map((w) => w.id)).toContain('h2-tank');
      await expect(createClient({ baseUrl: s.url }).listRuns()).rejects.toMatchObject({ status: 401 });
    } finally {
      await s.close();
      await database.drop();
    }
  });
});
