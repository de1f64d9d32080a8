import type { ActionFunctionArgs } from '@remix-run/node';
import { redirect } from '@remix-run/node';
import { requireUser, switchTenant } from '~/lib/auth.server';
import { assertCsrf } from '~/lib/csrf.server';
import { forbidden } from '~/lib/http.server';
import { safeRedirect } from '~/lib/safe-redirect';

export async function loader() {
  return redirect('/');
}

export async function action({ request }: ActionFunctionArgs) {
  const ctx = await requireUser(request);
  const form = await request.formData();
  await assertCsrf(request, form);
  const tenantId = String(form.get('tenantId') ?? '');
  if (!/^[0-9a-f-]{36}$/i.test(tenantId) || !(await switchTenant(ctx, tenantId))) {
    throw forbidden('You are not a member of that workspace.');
  }
  return redirect(safeRedirect(form.get('redirectTo'), '/leads'));
}
