#!/usr/bin/env node
// The `stagegraph` command from the TypeScript sources, through tsx: for development
// and the test suite in a checkout. The package's `stagegraph` is the compiled
// `dist/bin/cli.js` (`npm run build`), which needs neither tsx nor a build at run time.
import { register } from 'tsx/esm/api';

register();
await import('./cli.ts');
