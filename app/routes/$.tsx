import { ErrorPage } from '~/components/error-page';
import { notFound } from '~/lib/http.server';

export async function loader() {
  throw notFound();
}

export default function NotFound() {
  return <ErrorPage />;
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
