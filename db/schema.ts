/**
 * Leadflow's relational schema (drizzle-orm). Row-level security policies, FORCE RLS and grants
 * are not expressible here: they live in hand-written SQL migrations (db/migrations/*_rls*.sql).
 *
 * Distribution-ready for Citus: every tenant-owned table carries `tenant_id` in its primary key
 * and unique keys, and tenant-owned tables only reference each other through (tenant_id, id).
 */
import { sql } from 'drizzle-orm';
import {
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  boolean,
  foreignKey,
} from 'drizzle-orm/pg-core';

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();

export const ROLES = ['owner', 'admin', 'manager', 'rep', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** A tenant: a business, or an agency (whose client tenants point at it through parent_tenant_id). */
export const tenants = pgTable(
  'tenants',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    slug: text('slug').notNull(),
    name: text('name').notNull(),
    settings: jsonb('settings').notNull().default(sql`'{}'::jsonb`),
    branding: jsonb('branding').notNull().default(sql`'{}'::jsonb`),
    parentTenantId: uuid('parent_tenant_id'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('tenants_slug_key').on(t.slug),
    foreignKey({ columns: [t.parentTenantId], foreignColumns: [t.id], name: 'tenants_parent_fk' }),
  ],
);

/** People who can log in. Global (one person may belong to several tenants). */
export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    email: text('email').notNull(),
    name: text('name').notNull().default(''),
    passwordHash: text('password_hash').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('users_email_key').on(sql`lower(${t.email})`)],
);

/** user × tenant × role. Tenant-owned (RLS), readable by the user across tenants for the switcher. */
export const memberships = pgTable(
  'memberships',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text('role', { enum: ROLES }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.userId] }), index('memberships_user_idx').on(t.userId)],
);

/**
 * Revocable, database-backed sessions. The cookie carries a random token; only its SHA-256 is
 * stored, so a leaked table does not leak live sessions.
 */
export const sessions = pgTable(
  'sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tokenHash: text('token_hash').notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    activeTenantId: uuid('active_tenant_id').references(() => tenants.id, { onDelete: 'set null' }),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    userAgent: text('user_agent'),
    ip: text('ip'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('sessions_token_hash_key').on(t.tokenHash), index('sessions_user_idx').on(t.userId)],
);

/** Leads, first version (the lead-core work extends it). */
export const leads = pgTable(
  'leads',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    id: uuid('id').notNull().defaultRandom(),
    email: text('email'),
    firstName: text('first_name'),
    lastName: text('last_name'),
    company: text('company'),
    stage: text('stage').notNull().default('new'),
    ownerId: uuid('owner_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    uniqueIndex('leads_tenant_email_key').on(t.tenantId, sql`lower(btrim(${t.email}))`),
    index('leads_tenant_stage_created_idx').on(t.tenantId, t.stage, t.createdAt),
    index('leads_tenant_created_idx').on(t.tenantId, t.createdAt),
  ],
);

/** Who did what, per tenant. Append-only for the app role. */
export const auditLog = pgTable(
  'audit_log',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    id: uuid('id').notNull().defaultRandom(),
    actorUserId: uuid('actor_user_id'),
    action: text('action').notNull(),
    target: text('target'),
    data: jsonb('data').notNull().default(sql`'{}'::jsonb`),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] }), index('audit_log_tenant_created_idx').on(t.tenantId, t.createdAt)],
);

/** Fixed-window counters for rate limits (login attempts, capture keys). Not tenant data. */
export const rateLimits = pgTable('rate_limits', {
  key: text('key').primaryKey(),
  count: integer('count').notNull(),
  resetAt: timestamp('reset_at', { withTimezone: true }).notNull(),
});

/** Liveness of background processes (the worker writes a heartbeat; /healthz reads it). */
export const systemHeartbeats = pgTable('system_heartbeats', {
  component: text('component').primaryKey(),
  instance: text('instance').notNull(),
  beatAt: timestamp('beat_at', { withTimezone: true }).notNull().defaultNow(),
  details: jsonb('details').notNull().default(sql`'{}'::jsonb`),
});

/** Secrets Leadflow keeps for itself (e.g. the local n8n's API key), encrypted at rest. */
export const systemSecrets = pgTable('system_secrets', {
  name: text('name').primaryKey(),
  ciphertext: text('ciphertext').notNull(),
  updatedAt: updatedAt(),
  active: boolean('active').notNull().default(true),
});
