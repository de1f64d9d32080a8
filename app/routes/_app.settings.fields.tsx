import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { json } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { ErrorPage } from '~/components/error-page';
import { CsrfInput, Field, FormError } from '~/components/forms';
import { SelectField } from '~/components/lead-form';
import { requireTenant } from '~/lib/auth.server';
import { assertCsrf } from '~/lib/csrf.server';
import { database } from '~/lib/db.server';
import {
  createCustomField,
  CustomFieldExistsError,
  customFieldInputSchema,
  CUSTOM_FIELD_TYPES,
  deleteCustomField,
  listCustomFields,
  TooManyCustomFieldsError,
} from '~/models/custom-field.server';
import { parseTags } from '~/models/lead-form.server';

export const meta: MetaFunction = () => [{ title: 'Custom fields · Settings · Leadflow' }];

const TYPE_LABELS: Record<string, string> = {
  text: 'Text',
  number: 'Number',
  boolean: 'Yes / no',
  date: 'Date',
  select: 'Choice',
};

export async function loader({ request }: LoaderFunctionArgs) {
  const { tenant, user } = await requireTenant(request, 'admin');
  const fields = await database().withTenant({ tenantId: tenant.tenantId, userId: user.id }, (tx) => listCustomFields(tx));
  return json({ fields: fields.map((f) => ({ key: f.key, label: f.label, type: f.type, options: f.options })) });
}

type ActionResult = {
  ok: boolean;
  intent: string;
  message?: string;
  formError?: string;
  fieldErrors?: Record<string, string>;
  values?: Record<string, string>;
};

export async function action({ request }: ActionFunctionArgs) {
  const { tenant, user } = await requireTenant(request, 'admin');
  const form = await request.formData();
  await assertCsrf(request, form);
  const intent = String(form.get('intent') ?? '');
  const ctx = { tenantId: tenant.tenantId, userId: user.id };
  const values = {
    key: String(form.get('key') ?? ''),
    label: String(form.get('label') ?? ''),
    type: String(form.get('type') ?? ''),
    options: String(form.get('options') ?? ''),
  };

  if (intent === 'create') {
    const parsed = customFieldInputSchema.safeParse({
      ...values,
      key: values.key.trim().toLowerCase(),
      options: parseTags(values.options),
    });
    if (!parsed.success) {
      const fieldErrors: Record<string, string> = {};
      for (const i of parsed.error.issues) fieldErrors[String(i.path[0])] ??= i.message;
      return json<ActionResult>(
        { ok: false, intent, formError: 'Check the highlighted fields.', fieldErrors, values },
        { status: 400 },
      );
    }
    try {
      await database().withTenant(ctx, (tx) => createCustomField(tx, tenant.tenantId, parsed.data, user.id));
    } catch (err) {
      if (err instanceof CustomFieldExistsError) {
        return json<ActionResult>(
          {
            ok: false,
            intent,
            formError: 'Check the highlighted fields.',
            fieldErrors: { key: 'This key is taken already' },
            values,
          },
          { status: 409 },
        );
      }
      if (err instanceof TooManyCustomFieldsError)
        return json<ActionResult>({ ok: false, intent, formError: err.message, values }, { status: 400 });
      throw err;
    }
    return json<ActionResult>({ ok: true, intent, message: `Added the field “${parsed.data.label}”.` });
  }

  if (intent === 'delete') {
    const key = String(form.get('key') ?? '');
    const deleted = await database().withTenant(ctx, (tx) => deleteCustomField(tx, tenant.tenantId, key, user.id));
    if (!deleted)
      return json<ActionResult>({ ok: false, intent, formError: 'That field does not exist any more.' }, { status: 404 });
    return json<ActionResult>({ ok: true, intent, message: 'Field deleted. Values already stored on leads are kept.' });
  }

  return json<ActionResult>({ ok: false, intent, formError: 'Unknown action.' }, { status: 400 });
}

export default function CustomFieldsSettings() {
  const { fields } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === 'submitting';
  const create = result?.intent === 'create' ? result : undefined;
  const e = create?.fieldErrors ?? {};
  const v = (create && !create.ok ? create.values : undefined) ?? {};
  return (
    <>
      <p className="crumbs">
        <Link to="/settings">← Settings</Link>
      </p>
      <h1>Custom lead fields</h1>
      <p className="help">
        Extra fields for every lead in this workspace. They appear on the lead forms, the lead page and as list filters.
      </p>
      {result?.ok ? <p className="notice">{result.message}</p> : null}
      {result && !result.ok && result.intent !== 'create' ? <FormError message={result.formError} /> : null}
      {fields.length === 0 ? (
        <p className="empty">No custom fields yet.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Label</th>
                <th>Key</th>
                <th>Type</th>
                <th>Options</th>
                <th>
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {fields.map((f) => (
                <tr key={f.key}>
                  <td>{f.label}</td>
                  <td>
                    <code>{f.key}</code>
                  </td>
                  <td>{TYPE_LABELS[f.type] ?? f.type}</td>
                  <td>{f.options.join(', ') || '—'}</td>
                  <td>
                    <Form method="post" className="inline">
                      <CsrfInput />
                      <input type="hidden" name="intent" value="delete" />
                      <input type="hidden" name="key" value={f.key} />
                      <button type="submit" className="secondary" disabled={busy} aria-label={`Delete the field ${f.label}`}>
                        Delete
                      </button>
                    </Form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <section className="card narrow">
        <h2>Add a field</h2>
        <FormError message={create && !create.ok ? create.formError : null} />
        <Form method="post" noValidate key={create?.ok ? fields.length : 'form'}>
          <CsrfInput />
          <input type="hidden" name="intent" value="create" />
          <Field label="Label" name="label" required defaultValue={v.label} error={e.label} />
          <Field
            label="Key"
            name="key"
            required
            defaultValue={v.key}
            error={e.key}
            help="Used in the API, CSV and filters: lowercase letters, digits and _, e.g. plan_tier"
          />
          <SelectField
            label="Type"
            name="type"
            defaultValue={v.type ?? 'text'}
            error={e.type}
            options={CUSTOM_FIELD_TYPES.map((t) => ({ value: t, label: TYPE_LABELS[t] ?? t }))}
          />
          <Field
            label="Options (for a choice field)"
            name="options"
            defaultValue={v.options}
            error={e.options}
            help="Separate options with commas"
          />
          <button type="submit" disabled={busy}>
            Add field
          </button>
        </Form>
      </section>
    </>
  );
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
