import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { json } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { z } from 'zod';
import { CsrfInput, Field, FormError } from '~/components/forms';
import { requireTenant } from '~/lib/auth.server';
import { assertCsrf } from '~/lib/csrf.server';
import { database } from '~/lib/db.server';
import { roleAtLeast, brandingSchema, listMembers, updateTenantProfile } from '~/models/tenant.server';
import { schema } from '../../db';
import { eq } from 'drizzle-orm';

export const meta: MetaFunction = () => [{ title: 'Settings · Leadflow' }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { tenant, user } = await requireTenant(request, 'viewer');
  const data = await database().withTenant({ tenantId: tenant.tenantId, userId: user.id }, async (tx) => {
    const [row] = await tx.select().from(schema.tenants).where(eq(schema.tenants.id, tenant.tenantId));
    return { profile: row, members: await listMembers(tx, tenant.tenantId) };
  });
  return json({
    canEdit: roleAtLeast(tenant.role, 'admin'),
    profile: { name: data.profile.name, slug: data.profile.slug, branding: data.profile.branding as z.infer<typeof brandingSchema> },
    members: data.members,
  });
}

const profileSchema = z.object({
  name: z.string().trim().min(2, 'Enter a name').max(120),
  productName: z.string().trim().max(60).optional(),
  primaryColor: z.union([z.literal(''), z.string().regex(/^#[0-9a-fA-F]{6}$/, 'Use a hex colour like #3355ff')]).optional(),
  logoUrl: z.union([z.literal(''), z.string().url('Enter a full URL (https://…)').max(500)]).optional(),
});

export async function action({ request }: ActionFunctionArgs) {
  // Authorise before reading anything else: only admins and owners change workspace settings.
  const { tenant, user } = await requireTenant(request, 'admin');
  const form = await request.formData();
  await assertCsrf(request, form);
  const parsed = profileSchema.safeParse(Object.fromEntries(form));
  if (!parsed.success) {
    const fieldErrors: Record<string, string> = {};
    for (const i of parsed.error.issues) fieldErrors[String(i.path[0])] ??= i.message;
    return json({ ok: false as const, fieldErrors }, { status: 400 });
  }
  const { name, productName, primaryColor, logoUrl } = parsed.data;
  const branding = brandingSchema.parse({
    ...(productName ? { productName } : {}),
    ...(primaryColor ? { primaryColor } : {}),
    ...(logoUrl ? { logoUrl } : {}),
  });
  await database().withTenant({ tenantId: tenant.tenantId, userId: user.id }, (tx) =>
    updateTenantProfile(tx, tenant.tenantId, { name, branding }, user.id),
  );
  return json({ ok: true as const, fieldErrors: {} as Record<string, string> });
}

export default function Settings() {
  const { canEdit, profile, members } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === 'submitting';
  const e = result?.fieldErrors ?? {};
  return (
    <>
      <h1>Settings</h1>
      <section className="card">
        <h2>Workspace</h2>
        {result?.ok ? <p className="notice">Saved.</p> : null}
        {result && !result.ok ? <FormError message="Check the highlighted fields." /> : null}
        <Form method="post" noValidate>
          <CsrfInput />
          <fieldset disabled={!canEdit} style={{ border: 0, padding: 0 }}>
            <Field label="Workspace name" name="name" required defaultValue={profile.name} error={e.name} />
            <Field label="Product name (white-label)" name="productName" defaultValue={profile.branding.productName ?? ''} error={e.productName} />
            <Field label="Brand colour" name="primaryColor" defaultValue={profile.branding.primaryColor ?? ''} error={e.primaryColor} help="Hex, e.g. #3654d6" />
            <Field label="Logo URL" name="logoUrl" type="url" defaultValue={profile.branding.logoUrl ?? ''} error={e.logoUrl} />
            {canEdit ? (
              <button type="submit" disabled={busy}>
                {busy ? 'Saving…' : 'Save'}
              </button>
            ) : (
              <p className="help">Only admins and owners can change these settings.</p>
            )}
          </fieldset>
        </Form>
        <p className="help">Workspace address: {profile.slug}</p>
        {canEdit ? <Link to="/settings/fields">Custom lead fields →</Link> : null}
        {/* Lead pipeline settings */}
        <p>
          <Link to="/settings/scoring">Lead scoring →</Link> · <Link to="/settings/predictive">Predictive scoring →</Link> ·{' '}
          <Link to="/settings/assignment">Lead assignment →</Link> · <Link to="/settings/jobs">Background jobs →</Link>
        </p>
        {canEdit ? (
          <>
            {' '}
            · <Link to="/settings/developers">API keys &amp; website form →</Link>
          </>
        ) : null}
      </section>
      <h2>Members</h2>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th>Email</th>
              <th>Name</th>
              <th>Role</th>
            </tr>
          </thead>
          <tbody>
            {members.map((m) => (
              <tr key={m.userId}>
                <td>{m.email}</td>
                <td>{m.name}</td>
                <td>{m.role}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
