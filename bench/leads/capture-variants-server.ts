/**
 * Prototypes that decompose the capture endpoint's cost (bench only; the product is unchanged).
 * Both parse and validate exactly as the route does (normaliseCaptureKeys, captureBodySchema,
 * interpretCapture from app/models/capture.server.ts) and answer 201 after the commit.
 *   upsert  plain node:http (no express, no Remix) calling the product's upsertLead inside
 *           withTenant — what the route does minus the web framework;
 *   single  plain node:http, one SQL statement per capture as leadflow_app: set_config + INSERT
 *           the lead ON CONFLICT DO NOTHING RETURNING id + INSERT its form_submitted event (one
 *           round trip, autocommit); a known email falls back to the product's upsertLead.
 *   node --import tsx bench/leads/capture-variants-server.ts <port> <upsert|single> <appDatabaseUrl> <tenantId> <captureKey>
 */
import http from 'node:http';
import { createDatabase } from '../../db';
import { uuidv7 } from '../../db/ids';
import { captureBodySchema, interpretCapture, normaliseCaptureKeys } from '../../app/models/capture.server';
import { leadFieldsSchema } from '../../app/models/lead-fields';
import { upsertLead } from '../../app/models/lead.server';

const [port, mode, url, tenantId, captureKey] = process.argv.slice(2);
const database = createDatabase(url, { max: 10, onError: () => undefined });

const SINGLE = `
  with cfg as (select set_config('app.tenant_id', $1, true) as t),
  ins as (
    insert into leads (tenant_id, id, email, first_name, last_name, phone, title, company_name, website, country, city,
      channel, source, medium, campaign, referrer, landing_page, tags, email_opt_in, first_touch, last_touch)
    select $1::uuid, $2::uuid, $3::text, $4::text, $5::text, $6::text, $7::text, $8::text, $9::text, $10::text, $11::text,
      $12::text, $13::text, $14::text, $15::text, $16::text, $17::text, $18::text[], $19::boolean, $20::jsonb, $20::jsonb from cfg
    on conflict do nothing
    returning id
  ), ev as (
    insert into lead_events (tenant_id, id, lead_id, type, actor_type, actor_id, payload)
    select $1::uuid, $21::uuid, ins.id, 'form_submitted', 'capture', $22::text, $23::jsonb from ins
  )
  select id from ins`;

async function handle(body: Record<string, unknown>, referer: string | undefined): Promise<number> {
  const parsed = captureBodySchema.safeParse(normaliseCaptureKeys(body));
  if (!parsed.success) return 422;
  const { fields, touch, extras, message } = interpretCapture(parsed.data, { referer });
  if (!fields.email && !fields.phone) return 422;
  const actor = { type: 'capture' as const, id: captureKey.slice(0, 11) };
  const eventPayload = { ...(message ? { message } : {}), ...(Object.keys(extras).length ? { fields: extras } : {}) };
  const viaProduct = () =>
    database.withTenant(tenantId, (tx) =>
      upsertLead(tx, tenantId, fields, actor, { eventType: 'form_submitted', eventPayload, touch }),
    );
  if (mode === 'upsert') {
    await viaProduct();
    return 201;
  }
  const f = leadFieldsSchema.parse(fields);
  const r = await database.pool.query(SINGLE, [
    tenantId,
    uuidv7(),
    f.email ?? null,
    f.firstName ?? null,
    f.lastName ?? null,
    f.phone ?? null,
    f.title ?? null,
    f.companyName ?? null,
    f.website ?? null,
    f.country ?? null,
    f.city ?? null,
    f.channel ?? null,
    f.source ?? null,
    f.medium ?? null,
    f.campaign ?? null,
    f.referrer ?? null,
    f.landingPage ?? null,
    f.tags ?? [],
    f.emailOptIn ?? null,
    JSON.stringify(touch),
    uuidv7(),
    actor.id,
    JSON.stringify({ ...eventPayload, touch }),
  ]);
  if (r.rowCount === 0) await viaProduct(); // known email: the merge path
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
