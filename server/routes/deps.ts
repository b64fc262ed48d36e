/** What the route handlers share. */
import type { Stagegraph } from '../../graph/runtime.ts';
import type { ServerMetrics } from '../metrics.ts';
import type { RunDirectory } from '../run-directory.ts';

export interface ApiDeps {
  sg: Stagegraph;
  directory: RunDirectory;
  metrics: ServerMetrics;
  /** Where runs started through the API write artifacts. */
  outRoot: string;
  /** The workflow of an orchestrate request that names none. */
  defaultWorkflow?: string;
  /** The OpenAPI document (built once). */
  openapi: () => Record<string, unknown>;
}
