/**
 * The capture endpoint as a Remix route. NOTE: `npm start` (scripts/start.ts) serves this path
 * with the same handler mounted on express in front of Remix (app/lib/capture-endpoint.server.ts);
 * this route answers where that is not mounted (tests, other servers).
 */
import type { ActionFunctionArgs } from '@remix-run/node';
import { handleCapture, readFetchBody, type CaptureAnswer } from '~/lib/capture-endpoint.server';

const toResponse = (a: CaptureAnswer) => new Response(a.body, { status: a.status, headers: a.headers });

function run(request: Request, captureKey: string) {
  return handleCapture({
    method: request.method,
    captureKey,
    url: request.url,
    headers: request.headers,
    readBody: () => readFetchBody(request),
  }).then(toResponse);
}

export async function loader({ request, params }: ActionFunctionArgs) {
  return run(request, params.captureKey ?? '');
}

export async function action({ request, params }: ActionFunctionArgs) {
  return run(request, params.captureKey ?? '');
}
