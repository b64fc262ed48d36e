/**
 * The baseline: LangGraph's stock `PostgresSaver` (`@langchain/langgraph-checkpoint-postgres`),
 * unmodified, on its own pool to the same database and in its own schema, so it shares
 * nothing with stagegraph's checkpointer but the server.
 */
import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import pg from 'pg';

/** The schema the stock saver's tables live in. */
export const STOCK_SCHEMA = 'stock_langgraph';

export interface StockSaver {
  saver: PostgresSaver;
  pool: pg.Pool;
  close(): Promise<void>;
}

/** A stock `PostgresSaver` on a new pool of `max` connections to `url`, tables set up. */
export async function stockSaver(url: string, max: number): Promise<StockSaver> {
  const pool = new pg.Pool({ connectionString: url, max });
  pool.on('error', () => undefined);
  const saver = new PostgresSaver(pool, undefined, { schema: STOCK_SCHEMA });
  await saver.setup();
  return { saver, pool, close: () => pool.end() };
}
