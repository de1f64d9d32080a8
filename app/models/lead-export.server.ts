/**
 * Streaming CSV export of any filtered lead view: keyset pages of 2,000 rows, written as they
 * arrive, so memory stays flat for a million leads. Headers are the import's own, so an export
 * re-imports cleanly.
 */
import { stringify } from 'csv-stringify/sync';
import type { Database } from '../../db';
import type { LeadFilter } from './lead-filter';
import { listLeads, type Lead } from './lead.server';
import { sql } from 'drizzle-orm';

const COLUMNS: Array<[string, (l: Lead) => unknown]> = [
  ['Id', (l) => l.id],
  ['Email', (l) => l.email],
  ['First Name', (l) => l.firstName],
  ['Last Name', (l) => l.lastName],
  ['Phone', (l) => l.phone],
  ['Job Title', (l) => l.title],
  ['Company Name', (l) => l.companyName],
  ['Website', (l) => l.website],
  ['Company Size', (l) => l.companySize],
  ['Industry', (l) => l.industry],
  ['Country', (l) => l.country],
  ['Region', (l) => l.region],
  ['City', (l) => l.city],
  ['Timezone', (l) => l.timezone],
  ['Channel', (l) => l.channel],
  ['Lead Source', (l) => l.source],
  ['Medium', (l) => l.medium],
  ['Campaign', (l) => l.campaign],
  ['Stage', (l) => l.stage],
  ['Owner Id', (l) => l.ownerId],
  ['Tags', (l) => l.tags.join(';')],
  ['Score', (l) => l.score],
  ['Grade', (l) => l.scoreGrade],
  ['Email Opt In', (l) => l.emailOptIn],
  ['SMS Opt In', (l) => l.smsOptIn],
  ['Unsubscribed', (l) => l.unsubscribed],
  ['Do Not Contact', (l) => l.doNotContact],
  ['Created At', (l) => new Date(l.createdAt).toISOString()],
  ['Updated At', (l) => new Date(l.updatedAt).toISOString()],
];

/** Spreadsheet formula injection guard (OWASP): a cell starting with = + - @ tab or CR is quoted as text. */
export function neutraliseFormula(value: unknown): string {
  if (value === null || value === undefined) return '';
  const s = typeof value === 'string' ? value : String(value);
  return /^[=+\-@\t\r]/.test(s) && !/^-?\d+(\.\d+)?$/.test(s) ? `'${s}` : s;
}

function rowsToCsv(leads: Lead[], customKeys: string[]): string {
  return stringify(
    leads.map((l) => [
      ...COLUMNS.map(([, get]) => neutraliseFormula(get(l))),
      ...customKeys.map((k) => neutraliseFormula((l.custom as Record<string, unknown>)[k])),
    ]),
  );
}

export function exportStream(
  database: Database,
  tenantId: string,
  filter: Partial<LeadFilter>,
  opts: { ids?: string[]; batchSize?: number } = {},
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let cursor: string | undefined;
  let customKeys: string[] | null = null;
  let done = false;
  const batchSize = opts.batchSize ?? 2000;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        if (customKeys === null) {
          customKeys = await database.withTenant(tenantId, async (tx) => {
            const r = await tx.execute<{ key: string }>(sql`select key from custom_field_definitions order by key`);
            return r.rows.map((x) => x.key);
          });
          controller.enqueue(encoder.encode(stringify([[...COLUMNS.map(([h]) => h), ...customKeys.map((k) => `custom.${k}`)]])));
          return;
        }
        // NOTE: every pull must enqueue or close, or the consumer waits forever.
        for (;;) {
          if (done) return controller.close();
          const page = await database.withTenant(tenantId, (tx) =>
            listLeads(tx, { ...filter, ids: opts.ids, sort: filter.sort ?? '-created', limit: batchSize, cursor }),
          );
          cursor = page.nextCursor ?? undefined;
          if (!page.nextCursor) done = true;
          if (page.leads.length) {
            controller.enqueue(encoder.encode(rowsToCsv(page.leads, customKeys)));
            return;
          }
        }
      } catch (err) {
        controller.error(err);
      }
    },
  });
}
