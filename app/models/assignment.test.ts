import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { appDatabase } from '../../test/helpers';
import { createWorkspace, insertLeadsQuietly } from '../../worker/pipeline/test-support';
import { assignLeads, createRule, reassignOverdueLeads, saveRepSettings } from './assignment.server';
import { appendEvent } from './lead.server';

async function ownersOf(tenantId: string) {
  return appDatabase().withTenant(tenantId, async (tx) => {
    const rows = await tx.execute<{ id: string; owner_id: string | null }>(sql`select id, owner_id from leads order by id`);
    return rows.rows;
  });
}

describe('assignment rules against the database', () => {
  it('300 leads assigned by 8 parallel transactions: exact round-robin counts, caps, skips, fallback, no double assignment', async () => {
    const db = appDatabase();
    const ws = await createWorkspace(db, 5);
    const [a, b, c, d, fallback] = ws.users;
    await db.withTenant(ws.tenantId, async (tx) => {
      await createRule(tx, ws.tenantId, { name: 'Everyone', kind: 'round_robin', enabled: true, config: { conditions: [], pool: [a, b, c, d].map((userId) => ({ userId, weight: 1 })), slaMinutes: null } }, null);
      await createRule(tx, ws.tenantId, { name: 'Fallback', kind: 'fallback', enabled: true, config: { conditions: [], pool: [], userId: fallback, slaMinutes: null } }, null);
      await saveRepSettings(tx, ws.tenantId, a, { available: true, maxOpenLeads: 90, maxPerDay: null }, null);
      await saveRepSettings(tx, ws.tenantId, b, { available: true, maxOpenLeads: 120, maxPerDay: null }, null);
      await saveRepSettings(tx, ws.tenantId, c, { available: true, maxOpenLeads: null, maxPerDay: 50 }, null);
      await saveRepSettings(tx, ws.tenantId, d, { available: false, maxOpenLeads: null, maxPerDay: null }, null);
    });
    const ids = await insertLeadsQuietly(db, ws.tenantId, Array.from({ length: 300 }, (_, i) => ({ email: `lead${i}@example.com` })));
    // Eight overlapping batches (every lead is in two of them), all at once.
    const batches = Array.from({ length: 8 }, (_, k) => ids.filter((_, i) => i % 8 === k || (i + 1) % 8 === k));
    const results = await Promise.all(batches.map((batch) => db.withTenant(ws.tenantId, (tx) => assignLeads(tx, ws.tenantId, batch))));
    const assigned = results.flat();
    expect(assigned).toHaveLength(300);
    expect(new Set(assigned.map((x) => x.leadId)).size).toBe(300);
    const owners = await ownersOf(ws.tenantId);
    const counts = new Map<string, number>();
    for (const o of owners) counts.set(o.owner_id!, (counts.get(o.owner_id!) ?? 0) + 1);
    // a, b, c in turn (d unavailable) until c's 50 per day; a and b until a's 90 open; b until its
    // 120 open; the last 40 to the fallback owner.
    expect(Object.fromEntries([...counts].map(([k, v]) => [ws.users.indexOf(k), v]))).toEqual({ 0: 90, 1: 120, 2: 50, 4: 40 });
    const history = await db.withTenant(ws.tenantId, (tx) =>
      tx.execute<{ n: number; events: number; notes: number }>(sql`
        select (select count(*)::int from lead_assignments) as n,
               (select count(*)::int from lead_events where type = 'assigned') as events,
               (select count(*)::int from notifications where kind = 'lead_assigned') as notes`),
    );
    expect(history.rows[0]).toMatchObject({ n: 300, events: 300 });
    expect(history.rows[0].notes).toBeGreaterThanOrEqual(4);
  });

  it('assigns in strict pool order by lead creation, advancing the stored cursor across batches', async () => {
    const db = appDatabase();
    const ws = await createWorkspace(db, 3);
    await db.withTenant(ws.tenantId, (tx) =>
      createRule(tx, ws.tenantId, { name: 'RR', kind: 'round_robin', enabled: true, config: { conditions: [], pool: ws.users.map((userId) => ({ userId, weight: 1 })), slaMinutes: null } }, null),
    );
    const ids = await insertLeadsQuietly(db, ws.tenantId, Array.from({ length: 7 }, (_, i) => ({ email: `o${i}@example.com` })));
    await db.withTenant(ws.tenantId, (tx) => assignLeads(tx, ws.tenantId, ids.slice(0, 4)));
    await db.withTenant(ws.tenantId, (tx) => assignLeads(tx, ws.tenantId, ids.slice(4)));
    // Already-owned leads are never reassigned by a second pass.
    expect(await db.withTenant(ws.tenantId, (tx) => assignLeads(tx, ws.tenantId, ids))).toEqual([]);
    const owners = await ownersOf(ws.tenantId);
    expect(owners.map((o) => ws.users.indexOf(o.owner_id!))).toEqual([0, 1, 2, 0, 1, 2, 0]);
  });

  it('territories route by country and size; leads no rule takes stay unassigned', async () => {
    const db = appDatabase();
    const ws = await createWorkspace(db, 2);
    const [dach, us] = ws.users;
    await db.withTenant(ws.tenantId, async (tx) => {
      await createRule(tx, ws.tenantId, { name: 'DACH', kind: 'territory', enabled: true, config: { conditions: [{ field: 'country', values: ['DE', 'Austria'] }], pool: [{ userId: dach, weight: 1 }], slaMinutes: null } }, null);
      await createRule(tx, ws.tenantId, {
        name: 'US enterprise',
        kind: 'territory',
        enabled: true,
        config: { conditions: [{ field: 'country', values: ['US'] }, { field: 'companySize', values: [], min: 500 }], pool: [{ userId: us, weight: 1 }], slaMinutes: null },
      }, null);
    });
    const ids = await insertLeadsQuietly(db, ws.tenantId, [
      { email: 'x1@example.com', country: 'Germany' },
      { email: 'x2@example.com', country: 'AT' },
      { email: 'x3@example.com', country: 'United States', companySize: '1000-5000' },
      { email: 'x4@example.com', country: 'US', companySize: '10-50' },
    ]);
    await db.withTenant(ws.tenantId, (tx) => assignLeads(tx, ws.tenantId, ids));
    expect((await ownersOf(ws.tenantId)).map((o) => o.owner_id)).toEqual([dach, dach, us, null]);
  });

  it('SLA: an untouched lead goes to the next rep; a lead touched by a user stays', async () => {
    const db = appDatabase();
    const ws = await createWorkspace(db, 2);
    const [first, second] = ws.users;
    await db.withTenant(ws.tenantId, (tx) =>
      createRule(tx, ws.tenantId, { name: 'RR', kind: 'round_robin', enabled: true, config: { conditions: [], pool: ws.users.map((userId) => ({ userId, weight: 1 })), slaMinutes: 15 } }, null),
    );
    const [untouched, touched] = await insertLeadsQuietly(db, ws.tenantId, [{ email: 's1@example.com' }, { email: 's2@example.com' }]);
    const t0 = new Date(Date.now() - 60 * 60_000);
    await db.withTenant(ws.tenantId, (tx) => assignLeads(tx, ws.tenantId, [untouched, touched], { now: t0 }));
    // The second lead's rep called it (a user event after the assignment).
    await db.withTenant(ws.tenantId, (tx) => appendEvent(tx, ws.tenantId, touched, 'call', { type: 'user', id: second }, {}, new Date(t0.getTime() + 60_000)));
    const result = await db.withTenant(ws.tenantId, (tx) => reassignOverdueLeads(tx, ws.tenantId, new Date()));
    expect(result).toEqual({ checked: 2, touched: 1, reassigned: 1, closed: 0 });
    const owners = await ownersOf(ws.tenantId);
    expect(owners.map((o) => o.owner_id)).toEqual([second, second]);
    const detail = await db.withTenant(ws.tenantId, (tx) =>
      tx.execute<{ reason: string; status: string; user_id: string }>(sql`select reason, status, user_id from lead_assignments where lead_id = ${untouched} order by assigned_at`),
    );
    expect(detail.rows.map((r) => [r.reason, r.status, r.user_id])).toEqual([
      ['rule', 'reassigned', first],
      ['sla', 'active', second],
    ]);
    const note = await db.withTenant(ws.tenantId, (tx) =>
      tx.execute<{ payload: { reason: string } }>(sql`select payload from notifications where user_id = ${second} order by created_at desc limit 1`),
    );
    expect(note.rows[0].payload.reason).toBe('sla');
    // Nothing is due any more.
    expect(await db.withTenant(ws.tenantId, (tx) => reassignOverdueLeads(tx, ws.tenantId, new Date()))).toMatchObject({ checked: 0 });
  });
});
