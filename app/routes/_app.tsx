import type { LoaderFunctionArgs } from '@remix-run/node';
import { json } from '@remix-run/node';
import { Form, NavLink, Outlet, useLoaderData, useLocation, useSubmit } from '@remix-run/react';
import type { CSSProperties } from 'react';
import { CsrfInput } from '~/components/forms';
import { ErrorPage } from '~/components/error-page';
import { requireTenant } from '~/lib/auth.server';
import { database } from '~/lib/db.server';
import { unreadCount } from '~/models/notification.server';

export async function loader({ request }: LoaderFunctionArgs) {
  const { user, tenant, tenants } = await requireTenant(request);
  const branding = (tenant.branding ?? {}) as { productName?: string; primaryColor?: string; logoUrl?: string };
  // Notifications bell (lead pipeline): the user's unread count in this workspace.
  const unread = await database().withTenant({ tenantId: tenant.tenantId, userId: user.id }, (tx) => unreadCount(tx, user.id));
  return json({
    unread,
    user,
    tenant: { id: tenant.tenantId, name: tenant.name, slug: tenant.slug, role: tenant.role },
    tenants: tenants.map((t) => ({ id: t.tenantId, name: t.name, via: t.via })),
    branding,
  });
}

const nav = [
  { to: '/leads', label: 'Leads' },
  { to: '/workflows', label: 'Workflows' },
  { to: '/analytics', label: 'Analytics' },
  { to: '/settings', label: 'Settings' },
];

export default function AppShell() {
  const { user, tenant, tenants, branding, unread } = useLoaderData<typeof loader>();
  const location = useLocation();
  const submit = useSubmit();
  const style = branding.primaryColor ? ({ '--brand': branding.primaryColor } as CSSProperties) : undefined;
  return (
    <div className="shell" style={style}>
      <aside className="sidebar">
        <div className="brand">
          {branding.logoUrl ? <img src={branding.logoUrl} alt="" height={24} /> : null} {branding.productName || 'Leadflow'}
        </div>
        {tenants.length > 1 ? (
          <Form method="post" action="/tenant/switch" onChange={(e) => submit(e.currentTarget)} aria-label="Switch workspace">
            <CsrfInput />
            <input type="hidden" name="redirectTo" value={location.pathname} />
            <select name="tenantId" defaultValue={tenant.id} aria-label="Workspace">
              {tenants.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                  {t.via === 'agency' ? ' (client)' : ''}
                </option>
              ))}
            </select>
            <noscript>
              <button type="submit">Switch</button>
            </noscript>
          </Form>
        ) : (
          <div className="tenant-name">{tenant.name}</div>
        )}
        <nav aria-label="Main">
          {nav.map((item) => (
            <NavLink key={item.to} to={item.to} prefetch="intent">
              {item.label}
            </NavLink>
          ))}
        </nav>
        {/* Notifications bell (lead pipeline) */}
        <NavLink to="/notifications" className="bell" aria-label={`Notifications${unread ? `: ${unread} unread` : ''}`}>
          🔔 Notifications{unread ? <span className="pill">{unread > 99 ? '99+' : unread}</span> : null}
        </NavLink>
        <div className="me">
          <span>
            {user.name || user.email} · {tenant.role}
          </span>
          <Form method="post" action="/logout">
            <CsrfInput />
            <button type="submit">Log out</button>
          </Form>
        </div>
      </aside>
      <main className="main">
        <Outlet />
      </main>
    </div>
  );
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
