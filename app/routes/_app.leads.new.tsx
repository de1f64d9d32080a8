import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { json, redirect } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { ErrorPage } from '~/components/error-page';
import { CsrfInput, FormError } from '~/components/forms';
import { LeadFormFields } from '~/components/lead-form';
import { requireTenant } from '~/lib/auth.server';
import { assertCsrf } from '~/lib/csrf.server';
import { database } from '~/lib/db.server';
import { listCustomFields } from '~/models/custom-field.server';
import { formValues, parseLeadForm } from '~/models/lead-form.server';
import { upsertLead } from '~/models/lead.server';
import { getPipelineStages } from '~/models/pipeline.server';
import { listMembers } from '~/models/tenant.server';

export const meta: MetaFunction = () => [{ title: 'New lead · Leadflow' }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { tenant, user } = await requireTenant(request, 'rep');
  const data = await database().withTenant({ tenantId: tenant.tenantId, userId: user.id }, async (tx) => ({
    stages: await getPipelineStages(tx, tenant.tenantId),
    members: await listMembers(tx, tenant.tenantId),
    fields: await listCustomFields(tx),
  }));
  return json({
    stages: data.stages,
    members: data.members.map((m) => ({ userId: m.userId, email: m.email, name: m.name })),
    fields: data.fields.map((f) => ({ key: f.key, label: f.label, type: f.type, options: f.options })),
    // New leads default to the person creating them, when they are a member here.
    defaultOwnerId: data.members.some((m) => m.userId === user.id) ? user.id : '',
  });
}

export async function action({ request }: ActionFunctionArgs) {
  const { tenant, user } = await requireTenant(request, 'rep');
  const form = await request.formData();
  await assertCsrf(request, form);
  const outcome = await database().withTenant({ tenantId: tenant.tenantId, userId: user.id }, async (tx) => {
    const members = await listMembers(tx, tenant.tenantId);
    const parsed = parseLeadForm(form, {
      mode: 'create',
      stages: await getPipelineStages(tx, tenant.tenantId),
      ownerIds: members.map((m) => m.userId),
      definitions: await listCustomFields(tx),
    });
    if (!parsed.ok)
      return { ok: false as const, fieldErrors: parsed.fieldErrors, formError: parsed.formError, values: formValues(form) };
    // A known email merges into the existing lead (never overwriting it); conflicts are kept in
    // its 'merged' event, which the lead page shows.
    const result = await upsertLead(tx, tenant.tenantId, parsed.fields, { type: 'user', id: user.id });
    return { ok: true as const, id: result.lead.id, status: result.status };
  });
  if (!outcome.ok) return json(outcome, { status: 400 });
  return redirect(`/leads/${outcome.id}?notice=${outcome.status === 'merged' ? 'merged' : 'created'}`);
}

export default function NewLead() {
  const { stages, members, fields, defaultOwnerId } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === 'submitting';
  const values = result && !result.ok ? result.values : { stage: stages[0], ownerId: defaultOwnerId };
  return (
    <div className="lead-new">
      <p className="crumbs">
        <Link to="/leads">← All leads</Link>
      </p>
      <h1>New lead</h1>
      <p className="help">
        If a lead with this email exists already, your entry is merged into it: empty fields are filled in and nothing is
        overwritten.
      </p>
      <FormError message={result && !result.ok ? result.formError : null} />
      <Form method="post" noValidate className="card lead-form">
        <CsrfInput />
        <LeadFormFields
          mode="create"
          values={values}
          errors={result && !result.ok ? result.fieldErrors : {}}
          stages={stages}
          members={members}
          definitions={fields}
        />
        <div className="form-actions">
          <button type="submit" disabled={busy}>
            {busy ? 'Creating…' : 'Create lead'}
          </button>
          <Link to="/leads" className="button secondary">
            Cancel
          </Link>
        </div>
      </Form>
    </div>
  );
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
