import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { json } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { useDates } from '~/lib/use-dates';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { schema } from '../../db';
import { CsrfInput, Field, FormError } from '~/components/forms';
import { requireTenant } from '~/lib/auth.server';
import { assertCsrf } from '~/lib/csrf.server';
import { database } from '~/lib/db.server';
import { env } from '~/lib/env.server';
import { API_SCOPES, createApiKey, listApiKeys, revokeApiKey } from '~/models/api-key.server';

export const meta: MetaFunction = () => [{ title: 'API & forms · Leadflow' }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { tenant, user } = await requireTenant(request, 'admin');
  const data = await database().withTenant({ tenantId: tenant.tenantId, userId: user.id }, async (tx) => {
    const [t] = await tx.select({ captureKey: schema.tenants.captureKey }).from(schema.tenants).where(eq(schema.tenants.id, tenant.tenantId));
    const keys = (await listApiKeys(tx)).filter((k) => !k.name.startsWith('workflow:'));
    return { captureKey: t.captureKey, keys };
  });
  const origin = env().PUBLIC_URL ?? new URL(request.url).origin;
  return json({ ...data, origin });
}

const createSchema = z.object({
  name: z.string().trim().min(1, 'Name the key (e.g. "Website", "Zapier")').max(80),
  scopes: z.array(z.enum(API_SCOPES)).min(1, 'Choose at least one scope'),
});

export async function action({ request }: ActionFunctionArgs) {
  const { tenant, user } = await requireTenant(request, 'admin');
  const form = await request.formData();
  await assertCsrf(request, form);
  const intent = form.get('intent');
  if (intent === 'create') {
    const parsed = createSchema.safeParse({ name: form.get('name'), scopes: form.getAll('scopes') });
    if (!parsed.success) {
      const fieldErrors: Record<string, string> = {};
      for (const i of parsed.error.issues) fieldErrors[String(i.path[0])] ??= i.message;
      return json({ created: null, fieldErrors }, { status: 400 });
    }
    const created = await database().withTenant({ tenantId: tenant.tenantId, userId: user.id }, (tx) =>
      createApiKey(tx, tenant.tenantId, { name: parsed.data.name, scopes: parsed.data.scopes, createdBy: user.id }),
    );
    // Shown exactly once: only its hash is stored.
    return json({ created: { name: parsed.data.name, key: created.key }, fieldErrors: {} as Record<string, string> });
  }
  if (intent === 'revoke') {
    const id = z.uuid().safeParse(form.get('id'));
    if (!id.success) return json({ created: null, fieldErrors: { id: 'Unknown key' } as Record<string, string> }, { status: 400 });
    await database().withTenant({ tenantId: tenant.tenantId, userId: user.id }, (tx) => revokeApiKey(tx, tenant.tenantId, id.data, user.id));
    return json({ created: null, fieldErrors: {} as Record<string, string> });
  }
  return json({ created: null, fieldErrors: { intent: 'Unknown action' } as Record<string, string> }, { status: 400 });
}

/** The embeddable form: plain HTML that posts to the capture endpoint (works without JavaScript). */
export function captureSnippet(origin: string, captureKey: string): string {
  return `<form action="${origin}/api/v1/capture/${captureKey}" method="POST">
  <input type="hidden" name="_redirect" value="https://your-site.example/thanks">
  <!-- Hidden from people; bots fill it and their submissions are dropped. -->
  <input type="text" name="_gotcha" tabindex="-1" autocomplete="off" style="position:absolute;left:-9999px" aria-hidden="true">
  <script>document.currentScript.insertAdjacentHTML('beforebegin','<input type="hidden" name="page_url" value="'+location.href.replace(/"/g,'&quot;')+'"><input type="hidden" name="referrer" value="'+document.referrer.replace(/"/g,'&quot;')+'">')</script>
  <label>First name <input name="first_name" autocomplete="given-name"></label>
  <label>Last name <input name="last_name" autocomplete="family-name"></label>
  <label>Work email <input name="email" type="email" required autocomplete="email"></label>
  <label>Company <input name="company" autocomplete="organization"></label>
  <label><input type="checkbox" name="email_opt_in" value="yes"> Email me news and offers</label>
  <button type="submit">Send</button>
</form>`;
}

export default function Developers() {
  const dates = useDates();
  const { captureKey, keys, origin } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === 'submitting';
  return (
    <>
      <p>
        <Link to="/settings">← Settings</Link>
      </p>
      <h1>API &amp; forms</h1>
      <section className="card">
        <h2>Website form</h2>
        <p>
          Paste this into any web page. Submissions arrive as leads (merged by email), with UTM parameters, referrer and landing
          page. Capture key: <code>{captureKey}</code>
        </p>
        <textarea readOnly rows={14} style={{ width: '100%', fontFamily: 'monospace', fontSize: '0.8rem' }} value={captureSnippet(origin, captureKey)} aria-label="Form snippet" />
        <p className="help">
          JSON works too: <code>POST {origin}/api/v1/capture/{captureKey}</code> with <code>{'{"email": "…"}'}</code>.
        </p>
      </section>
      <section className="card" style={{ marginTop: '1rem' }}>
        <h2>API keys</h2>
        <p>
          Use a key as <code>Authorization: Bearer lf_…</code>. The API is described at <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.
        </p>
        {result?.created ? (
          <div className="notice" role="status">
            New key “{result.created.name}” — copy it now, it will not be shown again:
            <pre style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>{result.created.key}</pre>
          </div>
        ) : null}
        {result && !result.created && Object.keys(result.fieldErrors).length ? <FormError message="Check the highlighted fields." /> : null}
        <Form method="post" noValidate>
          <CsrfInput />
          <input type="hidden" name="intent" value="create" />
          <Field label="Name" name="name" required error={result?.fieldErrors?.name} />
          <fieldset className="field" style={{ border: 0, padding: 0 }}>
            <legend>Scopes</legend>
            <label>
              <input type="checkbox" name="scopes" value="read" defaultChecked /> read
            </label>{' '}
            <label>
              <input type="checkbox" name="scopes" value="write" /> write
            </label>
            {result?.fieldErrors?.scopes ? <div className="field-error">{result.fieldErrors.scopes}</div> : null}
          </fieldset>
          <button type="submit" disabled={busy}>
            Create key
          </button>
        </Form>
        <div className="table-wrap" style={{ marginTop: '1rem' }}>
          <table>
            <thead>
              <tr>
                <th>Name</th>
                <th>Key</th>
                <th>Scopes</th>
                <th>Last used</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {keys.map((k) => (
                <tr key={k.id}>
                  <td>{k.name}</td>
                  <td>
                    <code>{k.prefix}…</code>
                  </td>
                  <td>{k.scopes.join(', ')}</td>
                  <td>{k.lastUsedAt ? dates.dateTime(k.lastUsedAt) : 'never'}</td>
                  <td>
                    {k.revokedAt ? (
                      'revoked'
                    ) : (
                      <Form method="post">
                        <CsrfInput />
                        <input type="hidden" name="intent" value="revoke" />
                        <input type="hidden" name="id" value={k.id} />
                        <button type="submit" className="secondary">
                          Revoke
                        </button>
                      </Form>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </>
  );
}
