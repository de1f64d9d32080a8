/**
 * Decomposition of the capture endpoint's cost (bench only). Both parse and validate exactly as
 * the endpoint does (normaliseCaptureKeys, captureBodySchema, interpretCapture from
 * app/models/capture.server.ts) and answer 201 after the commit, on plain node:http (no express,
 * no rate limits, no tenant lookup):
 *   store   the product's write path, storeCapture (app/models/capture-store.server.ts): one
 *           prepared statement per new lead — what the endpoint does minus its HTTP framing;
 *   upsert  the write path before issue 3's fix, minus its NOTIFY: upsertLead inside withTenant
 *           (BEGIN, set_config, INSERT lead, INSERT event, COMMIT), jobs batched like the product's
 *           (leadflow.batch_jobs) — what the one statement saves.
 *   node --import tsx bench/leads/capture-variants-server.ts <port> <store|upsert> <appDatabaseUrl> <tenantId> <captureKey>
 */
import http from 'node:http';
import { sql } from 'drizzle-orm';
import { createDatabase } from '../../db';
import { captureBodySchema, interpretCapture, normaliseCaptureKeys } from '../../app/models/capture.server';
import { storeCapture } from '../../app/models/capture-store.server';
import { upsertLead } from '../../app/models/lead.server';

const [port, mode, url, tenantId, captureKey] = process.argv.slice(2);
const database = createDatabase(url, { max: 10, onError: () => undefined });

async function handle(body: Record<string, unknown>, referer: string | undefined): Promise<number> {
  const parsed = captureBodySchema.safeParse(normaliseCaptureKeys(body));
  if (!parsed.success) return 422;
  const { fields, touch, extras, message } = interpretCapture(parsed.data, { referer });
  if (!fields.email && !fields.phone) return 422;
  const actor = { type: 'capture' as const, id: captureKey.slice(0, 11) };
  const opts = {
    eventType: 'form_submitted',
    eventPayload: { ...(message ? { message } : {}), ...(Object.keys(extras).length ? { fields: extras } : {}) },
    touch,
  };
  if (mode === 'store') {
    await storeCapture(database, tenantId, fields, actor, opts);
    return 201;
  }
  await database.withTenant(tenantId, async (tx) => {
    await tx.execute(sql`select set_config('leadflow.batch_jobs', 'on', true)`);
    await upsertLead(tx, tenantId, fields, actor, opts);
  });
  return 201;
}

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    if (req.method !== 'POST') {
      res.writeHead(405).end();
      return;
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    } catch {
      res.writeHead(400).end();
      return;
    }
    handle(body, req.headers.referer).then(
      (status) => {
        res.writeHead(status, { 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': '*' });
        res.end(status === 201 ? '{"ok":true}' : '{"ok":false}');
      },
      (err: unknown) => {
        res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end(String(err));
      },
    );
  });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(port), '127.0.0.1', () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => {
  server.close();
  void database.close().then(() => process.exit(0));
});
