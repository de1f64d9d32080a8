/**
 * The `leadflow` command line. Data goes to stdout as JSON; human messages go to stderr.
 * Exit codes: 0 done, 1 failed, 2 bad arguments or unusable input.
 */
import crypto from 'node:crypto';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ROLES, type Role } from '../db/schema';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface Io {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

type Handler = (argv: string[], io: Io) => Promise<number>;

const USAGE = `Usage: leadflow <command> [options]

Commands:
  db migrate                                        apply database migrations
  tenant create <slug> --name <name> [--parent <slug>]
  user create <email> --tenant <slug> --role <${ROLES.join('|')}> [--name <name>]
                                                    password from stdin, else generated and printed
`;

type Options = NonNullable<ParseArgsConfig['options']>;

function parse<O extends Options>(argv: string[], options: O, positionals: number) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true as const, strict: true as const });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (parsed.positionals.length !== positionals) {
    throw new UsageError(`expected ${positionals} argument${positionals === 1 ? '' : 's'}, got ${parsed.positionals.length}`);
  }
  return parsed;
}

function writeJson(io: Io, value: unknown) {
  io.stdout.write(`${JSON.stringify(value)}\n`);
}

async function readStdin(stdin: Io['stdin']): Promise<string> {
  if (stdin.isTTY) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks).toString('utf8');
}

/** Opens the database (embedded when DATABASE_URL is unset), runs `fn`, closes everything. */
async function withDatabase<T>(io: Io, fn: (db: import('../db').Database) => Promise<T>): Promise<T> {
  const { prepareEnvironment } = await import('./runtime');
  const prepared = await prepareEnvironment({ log: (m) => io.stderr.write(`${m}\n`) });
  const { createDatabase } = await import('../db');
  const { appDatabaseUrl } = await import('../app/lib/env.server');
  const db = createDatabase(appDatabaseUrl(prepared.env), { max: 4 });
  try {
    return await fn(db);
  } finally {
    await db.close();
    await prepared.stop();
  }
}

const commands: Record<string, Handler> = {
  'db migrate': async (argv, io) => {
    parse(argv, {}, 0);
    const { prepareEnvironment } = await import('./runtime');
    const prepared = await prepareEnvironment({ log: (m) => io.stderr.write(`${m}\n`) });
    await prepared.stop();
    io.stderr.write('migrations applied\n');
    writeJson(io, { migrated: true });
    return 0;
  },

  'tenant create': async (argv, io) => {
    const { values, positionals } = parse(argv, { name: { type: 'string' }, parent: { type: 'string' } }, 1);
    const { slugSchema } = await import('../app/models/tenant.server');
    const slug = slugSchema.safeParse(positionals[0]);
    if (!slug.success) throw new UsageError(`invalid slug "${positionals[0]}": ${slug.error.issues[0].message}`);
    const name = values.name?.trim();
    if (!name) throw new UsageError('--name is required');
    return withDatabase(io, async (db) => {
      const { createTenant, SlugTakenError } = await import('../app/models/tenant.server');
      let parentTenantId: string | null = null;
      if (values.parent) {
        parentTenantId = await db.tenantIdBySlug(values.parent);
        if (!parentTenantId) throw new UsageError(`no tenant with slug "${values.parent}"`);
      }
      try {
        const tenant = await createTenant(db, { slug: slug.data, name, parentTenantId });
        io.stderr.write(`created tenant ${tenant.slug}\n`);
        writeJson(io, { id: tenant.id, slug: tenant.slug, name: tenant.name, parentTenantId });
        return 0;
      } catch (err) {
        if (err instanceof SlugTakenError) throw new UsageError(err.message);
        throw err;
      }
    });
  },

  'user create': async (argv, io) => {
    const { values, positionals } = parse(
      argv,
      { tenant: { type: 'string' }, role: { type: 'string' }, name: { type: 'string' } },
      1,
    );
    const { z } = await import('zod');
    const email = z.string().trim().toLowerCase().email().safeParse(positionals[0]);
    if (!email.success) throw new UsageError(`invalid email "${positionals[0]}"`);
    if (!values.tenant) throw new UsageError('--tenant is required');
    if (!values.role || !(ROLES as readonly string[]).includes(values.role)) {
      throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
    }
    const piped = (await readStdin(io.stdin)).split(/\r?\n/)[0] ?? '';
    if (piped && piped.length < 10) throw new UsageError('the password from stdin must have at least 10 characters');
    const password = piped || crypto.randomBytes(12).toString('base64url');
    return withDatabase(io, async (db) => {
      const tenantId = await db.tenantIdBySlug(values.tenant!);
      if (!tenantId) throw new UsageError(`no tenant with slug "${values.tenant}"`);
      const { addMembership } = await import('../app/models/tenant.server');
      const { createUser, findUserByEmail } = await import('../app/models/user.server');
      const result = await db.withTenant(tenantId, async (tx) => {
        const existing = await findUserByEmail(tx, email.data);
        const user = existing ?? (await createUser(tx, { email: email.data, name: values.name ?? '', password }));
        await addMembership(tx, tenantId, user.id, values.role as Role);
        return { user, created: !existing };
      });
      io.stderr.write(result.created ? `created user ${email.data}\n` : `added existing user ${email.data} to ${values.tenant}\n`);
      writeJson(io, {
        id: result.user.id,
        email: result.user.email,
        tenant: values.tenant,
        role: values.role,
        ...(result.created && !piped ? { password } : {}),
      });
      return 0;
    });
  },
};

/** Runs one command; returns the exit code (never throws for expected failures). */
export async function runCli(argv: string[], io: Io): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === 'help') {
    io.stderr.write(USAGE);
    return argv.length === 0 ? 2 : 0;
  }
  const two = `${argv[0]} ${argv[1] ?? ''}`.trim();
  const key = commands[two] ? two : commands[argv[0]] ? argv[0] : null;
  if (!key) {
    io.stderr.write(`leadflow: unknown command "${argv.slice(0, 2).join(' ')}"\n\n${USAGE}`);
    return 2;
  }
  const rest = argv.slice(key.split(' ').length);
  try {
    return await commands[key](rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`leadflow ${key}: ${err.message}\n`);
      return 2;
    }
    const { ConfigError } = await import('../app/lib/env.server');
    if (err instanceof ConfigError) {
      io.stderr.write(`leadflow: ${err.message}\n`);
      return 2;
    }
    io.stderr.write(`leadflow ${key}: failed: ${(err as Error).message}\n`);
    return 1;
  }
}

export function registerCommand(name: string, handler: Handler) {
  commands[name] = handler;
}

const isMain = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  const code = await runCli(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });
  process.exitCode = code;
}
