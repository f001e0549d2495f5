import type { DataSource } from 'typeorm';

/** What one table's pruning did: the slowest batch is what other requests could have waited behind. */
export interface PruneReport {
  table: string;
  deleted: number;
  batches: number;
  slowestMs: number;
}

/**
 * Deletes the rows of `table` matching `where`, at most `batchSize` a
 * statement, until none is left. Each statement is short and skips rows other
 * transactions hold (`FOR UPDATE SKIP LOCKED`), so pruning a large backlog
 * never holds locks a request waits on; any instance may prune at the same
 * time. `where` is trusted SQL from a repository, its values in `params`.
 */
export async function pruneInBatches(
  db: DataSource,
  table: string,
  where: string,
  params: unknown[],
  batchSize: number,
): Promise<PruneReport> {
  const report: PruneReport = { table, deleted: 0, batches: 0, slowestMs: 0 };
  const limit = `$${params.length + 1}`;
  for (;;) {
    const started = performance.now();
    const [, deleted] = await db.query<[unknown[], number]>(
      `DELETE FROM ${table} WHERE ctid = ANY (ARRAY(
         SELECT ctid FROM ${table} WHERE ${where} LIMIT ${limit} FOR UPDATE SKIP LOCKED))`,
      [...params, batchSize],
    );
    report.batches += 1;
    report.deleted += deleted;
    report.slowestMs = Math.max(report.slowestMs, performance.now() - started);
    if (deleted < batchSize) return report;
  }
}
