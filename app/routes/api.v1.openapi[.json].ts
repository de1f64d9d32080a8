import type { LoaderFunctionArgs } from '@remix-run/node';
import { openApiDocument } from '~/lib/openapi.server';

export async function loader({ request }: LoaderFunctionArgs) {
  const origin = new URL(request.url).origin;
  return new Response(JSON.stringify(openApiDocument(origin)), {
    headers: { 'Content-Type': 'application/json', 'Cache-Control': 'public, max-age=300', 'Access-Control-Allow-Origin': '*' },
  });
}
