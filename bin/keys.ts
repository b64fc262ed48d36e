/**
 * `stagegraph keys create|list|revoke`: the API keys a server in local mode accepts.
 * A key is printed once, when it is created (alone on stdout, so that
 * `KEY=$(stagegraph keys create)` works); the database keeps only its hash.
 */
import type { Command } from 'commander';
import { StagegraphError } from '../nodes/index.ts';
import { createApiKey, listApiKeys, revokeApiKey, type ApiKeyInfo } from '../server/auth/api-keys.ts';
import { withDatabase } from './session.ts';

function row(k: ApiKeyInfo): string {
  const cells = [k.id, k.owner.padEnd(10), (k.name || '-').padEnd(14), k.createdAt, `used ${k.lastUsedAt ?? 'never'}`];
  return `${cells.join('  ')}${k.revokedAt ? `  revoked ${k.revokedAt}` : ''}`;
}

export function keysCommand(program: Command): void {
  const keys = program.command('keys').description('API keys for the server (local auth mode)');

  keys
    .command('create')
    .description('create an API key and print it, this once')
    .option('-o, --owner <owner>', 'whose runs the key sees', 'local')
    .option('-n, --name <name>', 'a label for the key', '')
    .option('--json', 'print the key and its id as JSON')
    .action((o: { owner: string; name: string; json?: boolean }) =>
      withDatabase(async (db) => {
        if (!o.owner || o.owner.length > 200) {
          throw new StagegraphError('invalid_owner', `--owner must be 1-200 characters, got '${o.owner}'`, { class: 'validation' });
        }
        const k = await createApiKey(db, o.owner, { name: o.name });
        if (o.json) return void console.log(JSON.stringify(k));
        console.log(k.key);
        console.error(`key ${k.id} for owner ${k.owner}: shown only this once (the database keeps its hash).`);
        console.error(`use it as: Authorization: Bearer <key>   revoke it with: stagegraph keys revoke ${k.id}`);
      }),
    );

  keys
    .command('list')
    .description('list API keys (never their secret): id, owner, name, created, last used, revoked')
    .option('-o, --owner <owner>', 'only this owner\'s keys')
    .option('--json', 'print JSON')
    .action((o: { owner?: string; json?: boolean }) =>
      withDatabase(async (db) => {
        const list = await listApiKeys(db, { owner: o.owner });
        if (o.json) return void console.log(JSON.stringify(list));
        for (const k of list) console.log(row(k));
        if (list.length === 0) console.log('no API keys yet: stagegraph keys create');
      }),
    );

  keys
    .command('revoke')
    .description('revoke an API key: servers refuse it (once their key cache lapses)')
    .argument('<id>')
    .action((id: string) =>
      withDatabase(async (db) => {
        if (!(await revokeApiKey(db, id))) {
          throw new StagegraphError('api_key_not_found', `no active API key with id ${id}`, {
            class: 'validation', details: { id }, hint: 'stagegraph keys list shows the ids',
          });
        }
        console.log(`revoked ${id}`);
      }),
    );
}
