import fs from 'node:fs';
import { and, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { schema } from '../../db';
import { database } from '../../app/lib/db.server';
import { env } from '../../app/lib/env.server';
import { UnusableFileError, type Mapping } from '../../app/lib/import';
import { importLeads, type ImportRowProblem } from '../../app/models/lead-import.server';
import { defineTenantTask } from '../pipeline/task.server';

const payloadSchema = z.object({ tenantId: z.uuid(), importId: z.uuid() });

/**
 * `imports.mapping` = { columns: the column mapping chosen in the UI, lastRow: the last row number
 * committed }. `rows` cannot serve as the resume point (it counts data rows, not spreadsheet rows:
 * the header and blank lines are not counted), so the row number is kept next to the mapping.
 */
const storedSchema = z.object({
  columns: z.array(
    z.object({ header: z.string(), index: z.number().int(), field: z.string().nullable(), confidence: z.number(), reason: z.string().optional() }),
  ),
  lastRow: z.number().int().min(0).optional(),
});

/**
 * Queued by "Start import" (job key `import:<id>`): streams the uploaded file into the tenant's
 * leads. Each batch's leads, its progress counters, its error rows and the resume point commit in
 * one transaction, so a retried job continues exactly after the last committed row.
 * An unusable file fails the import without retrying; other errors are recorded in
 * `imports.message` and re-thrown for Graphile Worker's retry (the last attempt marks it failed).
 */
export default defineTenantTask('import_leads', payloadSchema, async ({ tenantId, importId }, helpers) => {
  const db = database();
  const imp = await db.withTenant(tenantId, async (tx) => {
    const [row] = await tx.select().from(schema.imports).where(eq(schema.imports.id, importId));
    return row;
  });
  if (!imp) {
    helpers.logger.warn(`import ${importId} no longer exists`);
    return null;
  }
  if (imp.status === 'done' || imp.status === 'failed' || imp.status === 'uploaded') return null;
  const stored = storedSchema.parse(imp.mapping);
  const resumeAfterRow = stored.lastRow ?? 0;

  const setImport = (values: Partial<typeof schema.imports.$inferInsert>) =>
    db.withTenant(tenantId, (tx) => tx.update(schema.imports).set(values).where(eq(schema.imports.id, importId)));
  await setImport({ status: 'running' });

  try {
    await importLeads(db, tenantId, fs.createReadStream(imp.storagePath), {
      dedupe: imp.dedupe,
      mapping: stored.columns as Mapping,
      importId,
      actor: { type: 'import', id: importId },
      resumeAfterRow,
      maxErrorsInSummary: 0,
      writers: env().IMPORT_WRITERS,
      onBatch: async (tx, batch) => {
        const problems = batch.problems.filter((p) => p.row > resumeAfterRow);
        const rejectedRows = new Set(problems.filter((p) => p.severity === 'error').map((p) => p.row)).size;
        await tx
          .update(schema.imports)
          .set({
            rows: sql`${schema.imports.rows} + ${batch.summary.rows}`,
            inserted: sql`${schema.imports.inserted} + ${batch.summary.inserted}`,
            updated: sql`${schema.imports.updated} + ${batch.summary.updated}`,
            skipped: sql`${schema.imports.skipped} + ${batch.summary.skipped}`,
            errorCount: sql`${schema.imports.errorCount} + ${rejectedRows}`,
            bytesRead: batch.bytesRead,
            mapping: sql`jsonb_set(${schema.imports.mapping}, '{lastRow}', to_jsonb(${batch.lastRow}::int))`,
          })
          .where(and(eq(schema.imports.id, importId), eq(schema.imports.tenantId, tenantId)));
        if (problems.length) await insertProblems(tx, tenantId, importId, problems);
      },
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof UnusableFileError) {
      await setImport({ status: 'failed', message, finishedAt: new Date() });
      await fs.promises.rm(imp.storagePath, { force: true });
      return { status: 'failed', error: message, importId };
    }
    const lastAttempt = helpers.job.attempts >= helpers.job.max_attempts;
    const shown = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'The uploaded file is missing' : message;
    await setImport(
      lastAttempt
        ? { status: 'failed', message: `The import stopped: ${shown}`, finishedAt: new Date() }
        : { message: `Attempt ${helpers.job.attempts} of ${helpers.job.max_attempts} failed (${shown}); retrying` },
    );
    throw error;
  }

  const [done] = await db.withTenant(tenantId, (tx) =>
    tx
      .update(schema.imports)
      .set({ status: 'done', message: null, finishedAt: new Date(), bytesRead: sql`greatest(${schema.imports.bytesRead}, ${schema.imports.totalBytes})` })
      .where(eq(schema.imports.id, importId))
      .returning(),
  );
  // The leads and the error report are in the database now; the upload is not needed any more.
  await fs.promises.rm(imp.storagePath, { force: true });
  return {
    importId,
    rows: done.rows,
    inserted: done.inserted,
    updated: done.updated,
    skipped: done.skipped,
    errors: done.errorCount,
  };
});

async function insertProblems(
  tx: Parameters<Parameters<ReturnType<typeof database>['withTenant']>[1]>[0],
  tenantId: string,
  importId: string,
  problems: ImportRowProblem[],
): Promise<void> {
  const payload = problems.map((p) => ({ row: p.row, column: p.column, message: p.message, severity: p.severity }));
  await tx.execute(sql`
    insert into import_errors (tenant_id, import_id, row, "column", message, severity)
    select ${tenantId}::uuid, ${importId}::uuid, row, "column", message, severity
    from jsonb_to_recordset(${JSON.stringify(payload)}::jsonb) as x(row int, "column" text, message text, severity text)`);
}
