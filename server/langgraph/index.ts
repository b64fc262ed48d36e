/** The LangGraph-API-compatible surface (LangGraph Studio and SDK on stagegraph's runs). */
export { langgraphApi, type LangGraphApiOptions } from './mount.ts';
