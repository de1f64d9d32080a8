import type { LoaderFunctionArgs } from '@remix-run/node';
import { requireTenant } from '~/lib/auth.server';
import { database } from '~/lib/db.server';
import { exportStream } from '~/models/lead-export.server';
import { parseLeadFilter } from '~/models/lead-filter';

/** GET /leads/export.csv?<filter> [&ids=a,b] — streams the filtered view as CSV. */
export async function loader({ request }: LoaderFunctionArgs) {
  const { tenant } = await requireTenant(request, 'viewer');
  const params = new URL(request.url).searchParams;
  const ids = params.get('ids')?.split(',').filter((id) => /^[0-9a-f-]{36}$/i.test(id));
  params.delete('ids');
  params.delete('cursor');
  const parsed = parseLeadFilter(params);
  if (!parsed.ok) {
    return new Response(`Invalid filter: ${parsed.errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`, { status: 400 });
  }
  const stamp = new Date().toISOString().slice(0, 10);
  return new Response(exportStream(database(), tenant.tenantId, parsed.filter, { ids }), {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="leads-${tenant.slug}-${stamp}.csv"`,
      'Cache-Control': 'no-store',
    },
  });
}
