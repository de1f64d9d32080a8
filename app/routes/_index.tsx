import type { LoaderFunctionArgs } from '@remix-run/node';
import { redirect } from '@remix-run/node';
import { getUserContext } from '~/lib/auth.server';

export async function loader({ request }: LoaderFunctionArgs) {
  return redirect((await getUserContext(request)) ? '/leads' : '/login');
}
