import { type Column, getTableColumns, is, SQL, sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { Db } from '../client.js';

/**
 * `\u0000` as JSON.stringify writes it (not preceded by an escaped backslash). Postgres text and
 * jsonb cannot hold NUL, and one model reply containing it would otherwise fail its whole batch.
 */
const ESCAPED_NUL = /(?<!\\)((?:\\\\)*)\\u0000/g;

/**
 * Builds `INSERT INTO t (...) SELECT ... FROM jsonb_populate_recordset(null::t, $1) ON CONFLICT
 * (<target>) DO NOTHING`, returning the inserted count. All rows travel as ONE jsonb parameter, so
 * the bind-parameter limit never applies and the client does one JSON.stringify instead of a
 * placeholder and a conversion per cell (drizzle's multi-row VALUES cost ~85 µs of CPU per
 * 32-column row here; this costs ~15 µs).
 */
export function buildBulkInsert(
  table: PgTable,
  conflictTarget: Column,
  rows: readonly Record<string, unknown>[],
): SQL {
  const shape = shapeOf(table);
  const { keys, names } = shape;
  const records = new Array<Record<string, unknown>>(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r] as Record<string, unknown>;
    const record: Record<string, unknown> = {};
    for (let c = 0; c < keys.length; c++) {
      const value = row[keys[c] as string];
      // Dates, numbers, arrays and jsonb objects all have the JSON form Postgres parses back. Dates
      // are turned into ISO text here: JSON.stringify calling their toJSON costs several times more.
      if (value !== undefined) record[names[c] as string] = value instanceof Date ? dateJson(value) : value;
    }
    records[r] = record;
  }
  const json = JSON.stringify(records).replace(ESCAPED_NUL, '$1\\ufffd');
  return sql`with inserted as (
      insert into ${table} (${shape.columnList})
      select ${shape.selectList} from jsonb_populate_recordset(null::${table}, ${json}::jsonb) as r
      on conflict (${sql.identifier(conflictTarget.name)}) do nothing
      returning 1
    ) select count(*)::int as n from inserted`;
}

/** What a table's bulk inserts share: built once per table instead of once per batch. */
interface TableShape {
  /** Property names of the inserted columns, in order. */
  keys: readonly string[];
  /** Their SQL column names, in the same order. */
  names: readonly string[];
  columnList: SQL;
  selectList: SQL;
}

const shapes = new WeakMap<PgTable, TableShape>();

function shapeOf(table: PgTable): TableShape {
  const cached = shapes.get(table);
  if (cached !== undefined) return cached;
  // Generated columns (`runs.fell_back`) are computed by Postgres and refuse explicit values.
  const columns = Object.entries(getTableColumns(table)).filter(
    ([, column]) => column.generated === undefined,
  );
  const shape: TableShape = {
    keys: columns.map(([key]) => key),
    names: columns.map(([, column]) => column.name),
    columnList: sql.join(
      columns.map(([, column]) => sql.identifier(column.name)),
      sql`, `,
    ),
    selectList: sql.join(
      columns.map(([, column]) => {
        const field = sql`r.${sql.identifier(column.name)}`;
        const fallback = defaultOf(column);
        return fallback === undefined ? field : sql`coalesce(${field}, ${fallback})`;
      }),
      sql`, `,
    ),
  };
  shapes.set(table, shape);
  return shape;
}

/** What `Date.prototype.toJSON` gives: ISO text, or null for an invalid date. */
function dateJson(date: Date): string | null {
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** A column's default as SQL, so an omitted value still gets it (the recordset yields NULL for it). */
function defaultOf(column: Column): SQL | undefined {
  if (!column.hasDefault || column.default === undefined) return undefined;
  if (is(column.default, SQL)) return column.default;
  const value = column.mapToDriverValue(column.default);
  return sql`${value}::${sql.raw(column.getSQLType())}`;
}

/** Runs {@link buildBulkInsert} and returns how many rows were inserted. */
export async function bulkInsert(
  db: Pick<Db, 'execute'>,
  table: PgTable,
  conflictTarget: Column,
  rows: readonly Record<string, unknown>[],
): Promise<number> {
  const result = (await db.execute(buildBulkInsert(table, conflictTarget, rows))) as {
    rows?: { n: number }[];
  };
  return result.rows?.[0]?.n ?? 0;
}
