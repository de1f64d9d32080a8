import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { json } from '@remix-run/node';
import { useLoaderData } from '@remix-run/react';
import { requireTenant } from '~/lib/auth.server';
import { database } from '~/lib/db.server';
import { listLeads } from '~/models/lead.server';

export const meta: MetaFunction = () => [{ title: 'Leads · Leadflow' }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { tenant, user } = await requireTenant(request, 'viewer');
  const { leads } = await database().withTenant({ tenantId: tenant.tenantId, userId: user.id }, (tx) => listLeads(tx, { limit: 50 }));
  return json({ leads });
}

export default function Leads() {
  const { leads } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>Leads</h1>
      {leads.length === 0 ? (
        <p className="empty">No leads yet. Leads captured from your forms, the API or an import appear here.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Name</th>
                <th>Email</th>
                <th>Company</th>
                <th>Stage</th>
                <th>Created</th>
              </tr>
            </thead>
            <tbody>
              {leads.map((l) => (
                <tr key={l.id}>
                  <td>{[l.firstName, l.lastName].filter(Boolean).join(' ') || '—'}</td>
                  <td>{l.email ?? '—'}</td>
                  <td>{l.companyName ?? '—'}</td>
                  <td>{l.stage}</td>
                  <td>{new Date(l.createdAt).toLocaleDateString()}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
