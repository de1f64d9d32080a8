/**
 * The capture bench's floor: plain node:http + a pg pool (max 10, like the app's) that parses the
 * same JSON body and INSERTs the same lead row (same columns, the touch as first/last_touch) into
 * `leads_bare (LIKE leads INCLUDING ALL)` — same indexes, no RLS, no transaction, no event, no
 * triggers, no validation — one autocommit statement per request.
 *   node --import tsx bench/leads/bare-server.ts <port> <ownerDatabaseUrl> <tenantId>
 */
import http from 'node:http';
import pg from 'pg';
import { uuidv7 } from '../../db/ids';

const [port, url, tenantId] = process.argv.slice(2);
const pool = new pg.Pool({ connectionString: url, max: 10 });
pool.on('error', () => undefined);

const SQL = `insert into leads_bare (tenant_id, id, email, first_name, last_name, phone, title, company_name, channel, source,
  medium, campaign, landing_page, first_touch, last_touch, tags, email_opt_in)
  values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, $15, $16)`;

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    void (async () => {
      try {
        const b = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, string | undefined>;
        const page = b.page_url ? new URL(b.page_url) : null;
        const q = page?.searchParams;
        const touch = {
          at: new Date().toISOString(),
          source: q?.get('utm_source') ?? null,
          medium: q?.get('utm_medium') ?? null,
          campaign: q?.get('utm_campaign') ?? null,
          landingPage: page ? `${page.origin}${page.pathname}` : null,
          channel: q?.get('utm_medium') === 'cpc' ? 'paid_search' : 'direct',
        };
        await pool.query(SQL, [
          tenantId,
          uuidv7(),
          b.email?.toLowerCase() ?? null,
          b.first_name ?? null,
          b.last_name ?? null,
          b.phone ?? null,
          b.title ?? null,
          b.company ?? null,
          touch.channel,
          touch.source,
          touch.medium,
          touch.campaign,
          touch.landingPage,
          JSON.stringify(touch),
          b.tags ? String(b.tags).split(',') : [],
          b.email_opt_in === undefined ? null : b.email_opt_in === 'yes',
        ]);
        res.writeHead(201, { 'Content-Type': 'application/json' });
        res.end('{"ok":true}');
      } catch (err) {
        res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end(String(err));
      }
    })();
  });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(port), '127.0.0.1', () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => {
  server.close();
  void pool.end().then(() => process.exit(0));
});
