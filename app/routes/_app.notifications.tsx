import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { json } from '@remix-run/node';
import { Form, Link, useLoaderData } from '@remix-run/react';
import { useDates } from '~/lib/use-dates';
import { ErrorPage } from '~/components/error-page';
import { CsrfInput } from '~/components/forms';
import { requireTenant } from '~/lib/auth.server';
import { assertCsrf } from '~/lib/csrf.server';
import { database } from '~/lib/db.server';
import { listNotifications, markRead, notificationText } from '~/models/notification.server';

export const meta: MetaFunction = () => [{ title: 'Notifications · Leadflow' }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { tenant, user } = await requireTenant(request, 'viewer');
  const list = await database().withTenant({ tenantId: tenant.tenantId, userId: user.id }, (tx) => listNotifications(tx, user.id));
  return json({
    notifications: list.map((n) => {
      const leads = ((n.payload ?? {}) as { leads?: Array<{ id: string; name: string }> }).leads ?? [];
      return { id: n.id, text: notificationText(n), leads, createdAt: n.createdAt, read: Boolean(n.readAt) };
    }),
  });
}

export async function action({ request }: ActionFunctionArgs) {
  const { tenant, user } = await requireTenant(request, 'viewer');
  const form = await request.formData();
  await assertCsrf(request, form);
  const id = String(form.get('id') ?? '');
  const marked = await database().withTenant({ tenantId: tenant.tenantId, userId: user.id }, (tx) =>
    markRead(tx, user.id, /^[0-9a-f-]{36}$/i.test(id) ? id : undefined),
  );
  return json({ ok: true, marked });
}

export default function Notifications() {
  const dates = useDates();
  const { notifications } = useLoaderData<typeof loader>();
  return (
    <>
      <div className="page-head">
        <h1>Notifications</h1>
        {notifications.some((n) => !n.read) ? (
          <Form method="post">
            <CsrfInput />
            <button type="submit">Mark all as read</button>
          </Form>
        ) : null}
      </div>
      {notifications.length === 0 ? <p className="empty">Nothing yet. You are notified here when leads are assigned to you.</p> : null}
      <ul className="notifications">
        {notifications.map((n) => (
          <li key={n.id} className={n.read ? 'muted' : undefined}>
            <strong>{n.text}</strong> <span className="help">{dates.dateTime(n.createdAt)}</span>
            {n.leads.length ? (
              <div>
                {n.leads.map((l, i) => (
                  <span key={l.id}>
                    {i ? ', ' : ''}
                    <Link to={`/leads/${l.id}`}>{l.name || 'Lead'}</Link>
                  </span>
                ))}
              </div>
            ) : null}
            {!n.read ? (
              <Form method="post" style={{ display: 'inline' }}>
                <CsrfInput />
                <input type="hidden" name="id" value={n.id} />
                <button type="submit">Mark as read</button>
              </Form>
            ) : null}
          </li>
        ))}
      </ul>
    </>
  );
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
