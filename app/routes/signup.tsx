import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { json, redirect } from '@remix-run/node';
import { Form, Link, useActionData, useNavigation } from '@remix-run/react';
import { z } from 'zod';
import { CsrfInput, Field, FormError } from '~/components/forms';
import { getUserContext, startSession } from '~/lib/auth.server';
import { assertCsrf } from '~/lib/csrf.server';
import { database } from '~/lib/db.server';
import { EmailTakenError, signUp, SlugTakenError, slugSchema } from '~/models/tenant.server';

export const meta: MetaFunction = () => [{ title: 'Create a workspace · Leadflow' }];

export const signupSchema = z.object({
  name: z.string().trim().min(1, 'Enter your name').max(120),
  email: z.string().trim().toLowerCase().email('Enter a valid email address').max(254),
  password: z
    .string()
    .min(10, 'Use at least 10 characters')
    .max(200, 'Use at most 200 characters'),
  tenantName: z.string().trim().min(2, 'Enter your company or workspace name').max(120),
  slug: slugSchema,
});

export async function loader({ request }: LoaderFunctionArgs) {
  if (await getUserContext(request)) throw redirect('/leads');
  return null;
}

type FieldErrors = Partial<Record<keyof z.infer<typeof signupSchema>, string>>;

export async function action({ request }: ActionFunctionArgs) {
  const form = await request.formData();
  await assertCsrf(request, form);
  const values = Object.fromEntries(form) as Record<string, string>;
  delete values.csrf;
  delete values.password;
  const parsed = signupSchema.safeParse(Object.fromEntries(form));
  if (!parsed.success) {
    const fieldErrors: FieldErrors = {};
    for (const issue of parsed.error.issues) fieldErrors[issue.path[0] as keyof FieldErrors] ??= issue.message;
    return json({ fieldErrors, formError: null as string | null, values }, { status: 400 });
  }
  try {
    const { user, tenant } = await signUp(database(), parsed.data);
    const cookie = await startSession(request, user.id, tenant.id);
    return redirect('/leads', { headers: { 'Set-Cookie': cookie } });
  } catch (error) {
    if (error instanceof EmailTakenError) {
      return json({ fieldErrors: { email: 'An account with this email exists. Log in instead.' } as FieldErrors, formError: null, values }, { status: 409 });
    }
    if (error instanceof SlugTakenError) {
      return json({ fieldErrors: { slug: 'This address is taken. Try another.' } as FieldErrors, formError: null, values }, { status: 409 });
    }
    throw error;
  }
}

export default function Signup() {
  const data = useActionData<typeof action>();
  const busy = useNavigation().state === 'submitting';
  const v = data?.values ?? {};
  const e = data?.fieldErrors ?? {};
  return (
    <main className="auth">
      <div className="card">
        <p className="brand">Leadflow</p>
        <h1>Create your workspace</h1>
        <FormError message={data?.formError} />
        <Form method="post" noValidate>
          <CsrfInput />
          <Field label="Your name" name="name" autoComplete="name" required defaultValue={v.name} error={e.name} />
          <Field label="Work email" name="email" type="email" autoComplete="email" required defaultValue={v.email} error={e.email} />
          <Field label="Password" name="password" type="password" autoComplete="new-password" required minLength={10} error={e.password} help="At least 10 characters." />
          <Field label="Company / workspace name" name="tenantName" required defaultValue={v.tenantName} error={e.tenantName} />
          <Field label="Workspace address" name="slug" required defaultValue={v.slug} error={e.slug} help="Lowercase letters, digits and dashes, e.g. acme-sales." />
          <button type="submit" disabled={busy}>
            {busy ? 'Creating…' : 'Create workspace'}
          </button>
        </Form>
        <p>
          Already have an account? <Link to="/login">Log in</Link>
        </p>
      </div>
    </main>
  );
}
