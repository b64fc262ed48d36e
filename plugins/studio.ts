/**
 * The graphs `langgraph.json` exports to LangGraph Studio / `langgraph dev`. Compiled
 * without a checkpointer: LangGraph's server supplies its own, and decision records
 * live in state alone there.
 */
import { buildWorkflow } from '../graph/compile.ts';
import { h2TankWorkflow } from './h2-tank/index.ts';

export const h2Tank = buildWorkflow(h2TankWorkflow).compile();
