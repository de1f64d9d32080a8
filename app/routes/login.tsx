import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { json, redirect } from '@remix-run/node';
import { Form, Link, useActionData, useNavigation, useSearchParams } from '@remix-run/react';
import { CsrfInput, Field, FormError } from '~/components/forms';
import { accessibleTenants, authenticator, getUserContext, LoginError, startSession } from '~/lib/auth.server';
import { assertCsrf } from '~/lib/csrf.server';
import { safeRedirect } from '~/lib/safe-redirect';

export const meta: MetaFunction = () => [{ title: 'Log in · Leadflow' }];

export async function loader({ request }: LoaderFunctionArgs) {
  if (await getUserContext(request)) throw redirect('/leads');
  return null;
}

export async function action({ request }: ActionFunctionArgs) {
  const form = await request.clone().formData();
  await assertCsrf(request, form);
  const redirectTo = safeRedirect(form.get('redirectTo'), '/leads');
  try {
    const user = await authenticator().authenticate('form', request);
    const tenants = await accessibleTenants(user.id);
    const cookie = await startSession(request, user.id, tenants[0]?.tenantId ?? null);
    return redirect(redirectTo, { headers: { 'Set-Cookie': cookie } });
  } catch (error) {
    if (error instanceof LoginError) {
      return json(
        { formError: error.message, fieldErrors: error.fieldErrors, email: String(form.get('email') ?? '') },
        { status: error.status, headers: error.status === 429 ? { 'Retry-After': '60' } : undefined },
      );
    }
    throw error;
  }
}

export default function Login() {
  const data = useActionData<typeof action>();
  const [params] = useSearchParams();
  const busy = useNavigation().state === 'submitting';
  return (
    <main className="auth">
      <div className="card">
        <p className="brand">Leadflow</p>
        <h1>Log in</h1>
        <FormError message={data?.formError} />
        <Form method="post" noValidate>
          <CsrfInput />
          <input type="hidden" name="redirectTo" value={params.get('redirectTo') ?? ''} />
          <Field label="Email" name="email" type="email" autoComplete="email" required defaultValue={data?.email} error={data?.fieldErrors?.email} autoFocus />
          <Field label="Password" name="password" type="password" autoComplete="current-password" required error={data?.fieldErrors?.password} />
          <button type="submit" disabled={busy}>
            {busy ? 'Logging in…' : 'Log in'}
          </button>
        </Form>
        <p>
          New here? <Link to="/signup">Create a workspace</Link>
        </p>
      </div>
    </main>
  );
}
