import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { OpmConfig } from '../../config/index.js';
import { createDatabase, type Db, defaultMigrationsFolder, executeRows, migrate } from '../../store/index.js';
import { writeJson, writeLines } from '../output.js';
import type { CommandRegistrar } from '../program.js';
import { describeDatabase } from '../queue-session.js';

const JournalSchema = z.object({
  entries: z.array(z.object({ tag: z.string(), when: z.number() })),
});

/** What `opm migrate` did, as `--json` prints it. */
export interface MigrateReport {
  database: { kind: 'postgres' | 'pglite'; location: string; schema: string | null };
  /** Migration tags applied by this call, oldest first. */
  applied: string[];
  /** Migrations in the database after the call. */
  total: number;
}

/** drizzle's journal: one row per applied migration, `created_at` = the migration's `when`. */
async function appliedMigrationTimes(db: Db, journalSchema: string): Promise<number[]> {
  const exists = await executeRows<{ found: boolean }>(
    db,
    sql`select to_regclass(${`"${journalSchema}"."__drizzle_migrations"`}) is not null as found`,
  );
  if (exists[0]?.found !== true) return [];
  const rows = await executeRows<{ created_at: string | number }>(
    db,
    sql`select created_at from ${sql.identifier(journalSchema)}.__drizzle_migrations`,
  );
  return rows.map((row) => Number(row.created_at));
}

async function journalSchemaOf(db: Db, config: OpmConfig): Promise<string> {
  if (config.databaseSchema !== undefined) return config.databaseSchema;
  // store.migrate keeps the journal in a non-public search_path schema (see store/migrate.ts).
  const current = await executeRows<{ name: string | null }>(db, sql`select current_schema() as name`);
  const name = current[0]?.name;
  return typeof name === 'string' && name !== 'public' ? name : 'drizzle';
}

/** Applies every pending migration to the configured database and lists what it applied. */
export async function runMigrations(config: OpmConfig): Promise<MigrateReport> {
  const described = describeDatabase(config);
  const database = await createDatabase({
    ...(config.databaseUrl === undefined
      ? { dataDir: path.join(config.dataDir, 'pglite') }
      : { url: config.databaseUrl }),
    schema: config.databaseSchema,
  });
  try {
    const journalSchema = await journalSchemaOf(database.db, config);
    const before = new Set(await appliedMigrationTimes(database.db, journalSchema));
    await migrate(database);
    const after = await appliedMigrationTimes(database.db, journalSchema);
    const journal = JournalSchema.parse(
      JSON.parse(readFileSync(path.join(defaultMigrationsFolder(), 'meta', '_journal.json'), 'utf8')),
    );
    const fresh = new Set(after.filter((when) => !before.has(when)));
    return {
      database: { ...described, schema: config.databaseSchema ?? null },
      applied: journal.entries.filter((entry) => fresh.has(entry.when)).map((entry) => entry.tag),
      total: after.length,
    };
  } finally {
    await database.close();
  }
}

/** `opm migrate`: brings the run store's schema up to date. */
export const migrateCommand: CommandRegistrar = (program, context) => {
  program
    .command('migrate')
    .description('apply pending database migrations (DATABASE_URL, else embedded PGlite under .opm/)')
    .option('--json', 'print one JSON object {"database","applied","total"}')
    .addHelpText(
      'after',
      `
Examples:
  $ opm migrate                                   # embedded PGlite in ./.opm/pglite
  $ DATABASE_URL=postgres://opm@db:5432/opm opm migrate --json`,
    )
    .action(async (options: { json?: boolean }) => {
      const json = options.json === true;
      await context.guard({ json }, async () => {
        const report = await runMigrations(context.config());
        if (json) {
          writeJson(context.io, report);
          return;
        }
        const where = `${report.database.kind} ${report.database.location}`;
        writeLines(
          context.io,
          report.applied.length === 0
            ? [`${where}: up to date (${report.total} migrations applied earlier).`]
            : [
                `${where}: applied ${report.applied.length} migration(s):`,
                ...report.applied.map((tag) => `  ${tag}`),
                `${report.total} migrations in total.`,
              ],
        );
      });
    });
};
