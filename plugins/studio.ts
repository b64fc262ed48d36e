/**
 * The graphs `langgraph.json` exports to LangGraph Studio / `langgraphjs dev`. Compiled
 * without a checkpointer: LangGraph's server supplies its own, and decision records
 * live in state alone there. Their input is the request as text (`{ request: "..." }`),
 * so Studio offers it as a form; `GET /assistants/{id}/schemas` shows it and the state.
 */
import { buildWorkflow } from '../graph/compile.ts';
import { h2TankWorkflow } from './h2-tank/index.ts';

export const h2Tank = buildWorkflow(h2TankWorkflow).compile(undefined, { input: 'text' });
