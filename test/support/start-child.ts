/**
 * A process of the startup-race test: loads everything, prints `ready`, waits for
 * SIGUSR2 (sent to all children at once), then opens the stagegraph on DATABASE_URL as
 * `serve` would (migrations, recovery sweep), prints `up` and closes.
 */
import { createStagegraph } from '../../graph/runtime.ts';
import { stage } from '../fixtures/stages.ts';
import { sequence } from '../fixtures/workflows.ts';

// A signal handler does not keep the event loop alive: the timer does, until the signal.
const alive = setInterval(() => undefined, 60_000);
await new Promise<void>((go) => {
  process.once('SIGUSR2', () => go());
  process.stdout.write('ready\n');
});
clearInterval(alive);
const sg = await createStagegraph({ workflows: [sequence('one', [stage('a')])] });
process.stdout.write('up\n');
await sg.close();
