/**
 * Opens the database as the environment says (DATABASE_URL, or the embedded server in
 * STAGEGRAPH_HOME), runs the query given as its argument, prints `{ kind, url, rows }`
 * as JSON and closes.
 */
import { openDatabase } from '../../graph/store/database.ts';

const db = await openDatabase({ max: 1 });
try {
  const { rows } = await db.pool.query(process.argv[2]!);
  process.stdout.write(`${JSON.stringify({ kind: db.kind, url: db.url, rows })}\n`);
} finally {
  await db.close();
}
