import type { ActionFunctionArgs } from '@remix-run/node';
import { redirect } from '@remix-run/node';
import { logout } from '~/lib/auth.server';
import { assertCsrf } from '~/lib/csrf.server';

export async function loader() {
  return redirect('/');
}

export async function action({ request }: ActionFunctionArgs) {
  await assertCsrf(request, await request.clone().formData());
  return logout(request);
}
