import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { json } from '@remix-run/node';
import { requireTenant } from '~/lib/auth.server';

export const meta: MetaFunction = () => [{ title: 'Workflows · Leadflow' }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireTenant(request, 'viewer');
  return json({});
}

export default function Workflows() {
  return (
    <>
      <h1>Workflows</h1>
      <p className="empty">No workflows in this workspace yet.</p>
    </>
  );
}
