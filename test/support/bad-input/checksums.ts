import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';

/**
 * What bad input may still move: the counters that refused it, the events that
 * record it, a token's spend, and a session's last use (stamped at most once a
 * minute by any authenticated request, refused or not).
 */
const UNCHECKED_TABLES = new Set(['rate_limits', 'events']);
const UNCHECKED_COLUMNS = new Set(['spent_at', 'last_used_at']);

/**
 * A checksum of every table of the app's database (row count and an md5 of
 * its rows, in order), but for the tables and columns bad input may move.
 */
export async function tableChecksums(app: INestApplication): Promise<Record<string, string>> {
  const db = app.get(DataSource, { strict: false });
  const columns: Array<{ table_name: string; column_name: string }> = await db.query(
    `SELECT c.table_name, c.column_name
       FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
      WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
      ORDER BY c.table_name, c.ordinal_position`,
  );
  const tables = new Map<string, string[]>();
  for (const { table_name, column_name } of columns) {
    if (UNCHECKED_TABLES.has(table_name)) continue;
    tables.set(table_name, tables.get(table_name) ?? []);
    if (!UNCHECKED_COLUMNS.has(column_name)) tables.get(table_name)!.push(column_name);
  }
  const sums: Record<string, string> = {};
  for (const [table, names] of tables) {
    const row = `ROW(${names.map((name) => `t.${quote(name)}`).join(', ')})::text`;
    const [result]: Array<{ rows: number; sum: string }> = await db.query(
      `SELECT count(*)::int AS rows, md5(coalesce(string_agg(r, E'\\n' ORDER BY r), '')) AS sum
         FROM (SELECT ${row} AS r FROM ${quote(table)} t) s`,
    );
    sums[table] = `${result.rows} rows, md5 ${result.sum}`;
  }
  return sums;
}

const quote = (identifier: string) => `"${identifier.replaceAll('"', '""')}"`;
