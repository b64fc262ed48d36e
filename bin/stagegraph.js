#!/usr/bin/env node
// The `stagegraph` command: TypeScript sources run through tsx, no build step.
import { register } from 'tsx/esm/api';

register();
await import('./cli.ts');
