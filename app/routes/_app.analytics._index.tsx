import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { json } from '@remix-run/node';
import { useLoaderData } from '@remix-run/react';
import { requireTenant } from '~/lib/auth.server';
import { database } from '~/lib/db.server';
import { countLeadsByStage } from '~/models/lead.server';

export const meta: MetaFunction = () => [{ title: 'Analytics · Leadflow' }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { tenant, user } = await requireTenant(request, 'viewer');
  const byStage = await database().withTenant({ tenantId: tenant.tenantId, userId: user.id }, (tx) => countLeadsByStage(tx));
  return json({ byStage, total: byStage.reduce((s, r) => s + r.count, 0) });
}

export default function Analytics() {
  const { byStage, total } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>Analytics</h1>
      <div className="stats">
        <div className="stat">
          <div className="value">{total}</div>
          <div className="label">Leads</div>
        </div>
        {byStage.map((s) => (
          <div className="stat" key={s.stage}>
            <div className="value">{s.count}</div>
            <div className="label">{s.stage}</div>
          </div>
        ))}
      </div>
    </>
  );
}
