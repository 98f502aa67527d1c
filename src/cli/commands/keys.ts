import { join } from 'node:path';
import { ApiError, displayPrefix, generateApiKey, hashApiKey, toApiKeyView } from '../../api/index.js';
import type { OpmConfig } from '../../config/index.js';
import {
  API_KEY_ROLES,
  type ApiKey,
  type ApiKeyRole,
  createDatabase,
  type Database,
  findApiKeys,
  insertApiKey,
  listApiKeys,
  migrate,
  revokeApiKey,
} from '../../store/index.js';
import { CliError } from '../errors.js';
import { writeJson, writeLines } from '../output.js';
import type { CommandRegistrar } from '../program.js';

async function withDatabase<T>(config: OpmConfig, body: (database: Database) => Promise<T>): Promise<T> {
  const database = await createDatabase({
    url: config.databaseUrl,
    dataDir: join(config.dataDir, 'pglite'),
    schema: config.databaseSchema,
  });
  try {
    await migrate(database);
    return await body(database);
  } finally {
    await database.close();
  }
}

function table(keys: readonly ApiKey[]): string[] {
  const rows = keys.map((key) => [
    key.id,
    key.prefix,
    key.role,
    key.name,
    key.revokedAt ? `revoked ${key.revokedAt.toISOString()}` : 'active',
    key.lastUsedAt?.toISOString() ?? '-',
  ]);
  const header = ['ID', 'PREFIX', 'ROLE', 'NAME', 'STATE', 'LAST USED'];
  const widths = header.map((title, i) =>
    Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  return [header, ...rows].map((row) =>
    row
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd(),
  );
}

function parseRole(role: string): ApiKeyRole {
  if ((API_KEY_ROLES as readonly string[]).includes(role)) return role as ApiKeyRole;
  throw new CliError(
    'cli.invalid_option',
    `--role must be one of ${API_KEY_ROLES.join(', ')}, not "${role}"`,
  );
}

/** `opm keys create|list|revoke`: API keys for `opm serve`. Only a hash is stored; a key is shown once. */
export const keysCommand: CommandRegistrar = (program, context) => {
  const keys = program
    .command('keys')
    .description('create, list and revoke API keys for the HTTP API')
    .addHelpText(
      'after',
      `
Roles: viewer (reads), runner (enqueues, reads its own runs), editor (both, plus render
previews), deployer (also moves labels), admin (also manages keys).

Examples:
  $ opm keys create --role runner --name checkout-service
  $ opm keys list --json
  $ opm keys revoke opm_Q2xhcmE`,
    );

  keys
    .command('create')
    .description('create a key and print it once (only its hash is stored)')
    .requiredOption('--role <role>', `one of ${API_KEY_ROLES.join(', ')}`)
    .requiredOption('--name <name>', 'who uses it; the actor in audit trails')
    .option('--json', 'print {"key","apiKey":{id,name,role,prefix,...}}')
    .action(async (options: { role: string; name: string; json?: boolean }) => {
      const json = options.json === true;
      await context.guard({ json }, async () => {
        const role = parseRole(options.role);
        const key = generateApiKey();
        const row = await withDatabase(context.config(), (database) =>
          insertApiKey(database.db, {
            name: options.name,
            role,
            prefix: displayPrefix(key),
            keyHash: hashApiKey(key),
          }),
        );
        if (json) writeJson(context.io, { key, apiKey: toApiKeyView(row) });
        else {
          writeLines(context.io, [
            key,
            '',
            `Created ${role} key "${row.name}" (id ${row.id}, prefix ${row.prefix}).`,
            'Store it now: it is not shown again.',
          ]);
        }
      });
    });

  keys
    .command('list')
    .description('list keys: id, prefix, role, name, state, last use (never the keys)')
    .option('--json', 'print {"keys":[...]}')
    .action(async (options: { json?: boolean }) => {
      const json = options.json === true;
      await context.guard({ json }, async () => {
        const rows = await withDatabase(context.config(), (database) => listApiKeys(database.db));
        if (json) writeJson(context.io, { keys: rows.map(toApiKeyView) });
        else if (rows.length === 0) writeLines(context.io, ['No API keys. Create one with opm keys create.']);
        else writeLines(context.io, table(rows));
      });
    });

  keys
    .command('revoke <idOrPrefix>')
    .description('revoke a key by id or display prefix (servers stop accepting it within 2 s)')
    .option('--json', 'print the revoked key')
    .action(async (idOrPrefix: string, options: { json?: boolean }) => {
      const json = options.json === true;
      await context.guard({ json }, async () => {
        const revoked = await withDatabase(context.config(), async (database) => {
          const matches = await findApiKeys(database.db, idOrPrefix);
          if (matches.length === 0) throw new ApiError('api.not_found', `No API key "${idOrPrefix}".`);
          if (matches.length > 1) {
            throw new CliError(
              'cli.invalid_option',
              `"${idOrPrefix}" matches ${matches.length} keys; give the id.`,
            );
          }
          return revokeApiKey(database.db, (matches[0] as ApiKey).id);
        });
        if (!revoked) throw new ApiError('api.not_found', `No API key "${idOrPrefix}".`);
        if (json) writeJson(context.io, toApiKeyView(revoked));
        else writeLines(context.io, [`Revoked ${revoked.role} key "${revoked.name}" (${revoked.prefix}).`]);
      });
    });
};
