/**
 * GET /leads/import/<id>/errors.csv — the per-row error report of an import (row, column,
 * message, severity), streamed from `import_errors` in chunks of whole rows.
 * 404 for an unknown import or one of another workspace (RLS hides it).
 */
import type { LoaderFunctionArgs } from '@remix-run/node';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '../../db';
import { requireTenant } from '~/lib/auth.server';
import { database } from '~/lib/db.server';
import { notFound } from '~/lib/http.server';
import { errorReportChunks, UTF8_BOM, type RowError } from '~/lib/import';

const CHUNK = 5000;

/** The report's rows, a chunk of whole spreadsheet rows at a time (keyset on row). */
async function* errorBatches(db: Database, ctx: { tenantId: string; userId: string }, importId: string): AsyncGenerator<RowError[]> {
  let after = -1;
  for (;;) {
    const rows = await db.withTenant(ctx, (tx) =>
      tx.execute<{ row: number; column: string | null; message: string; severity: 'error' | 'warning' }>(sql`
        with bound as (
          select row from import_errors where import_id = ${importId} and row > ${after} order by row offset ${CHUNK - 1} limit 1
        )
        select row, "column", message, severity from import_errors
        where import_id = ${importId} and row > ${after}
          and (not exists (select 1 from bound) or row <= (select row from bound))
        order by row, ctid`),
    );
    if (rows.rows.length === 0) return;
    yield rows.rows.map((r) => ({ row: Number(r.row), column: r.column ?? '', message: r.message, severity: r.severity }));
    after = Number(rows.rows[rows.rows.length - 1].row);
  }
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant, user } = await requireTenant(request, 'rep');
  const importId = params.importId;
  if (!importId || !z.uuid().safeParse(importId).success) throw notFound('No such import');
  const ctx = { tenantId: tenant.tenantId, userId: user.id };
  const db = database();
  const found = await db.withTenant(ctx, (tx) =>
    tx.execute<{ filename: string }>(sql`select filename from imports where id = ${importId}`),
  );
  const imp = found.rows[0];
  if (!imp) throw notFound('No such import');

  const encoder = new TextEncoder();
  const chunks = errorReportChunks(errorBatches(db, ctx, importId));
  let first = true;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await chunks.next();
        if (next.done) {
          controller.close();
          return;
        }
        controller.enqueue(encoder.encode(first ? UTF8_BOM + next.value : next.value));
        first = false;
      } catch (error) {
        controller.error(error);
      }
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
  const base = imp.filename.replace(/\.[^.]*$/, '').replace(/[^\w.-]+/g, '_').slice(0, 80) || 'import';
  return new Response(body, {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${base}-errors.csv"`,
      'Cache-Control': 'no-store',
    },
  });
}
