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
  import <file.csv> --tenant <slug> [--dedupe merge|skip] [--dry-run]
  export --tenant <slug> [--stage s,s] [--owner id|none] [--channel c] [--source s] [--tag t]…
         [--score-min n] [--score-max n] [--created-after d] [--created-before d] [--q text] [--sort -created|created|-score|score]
  model evaluate --csv <file> --label <column> [--positive <value>] [--exclude <col,col>] [--folds 5] [--seed 1]
                                                    cross-validated predictive model metrics as JSON
  workflow compile <graph.json>                     n8n workflow JSON (invalid graph: exit 2, errors on stderr)
  workflow decompile <n8n.json>                     the canvas graph back
  score <leadId> --tenant <slug>                    the lead's score with its explanation, as JSON
  domain [<email|url|host>]                         registrable domain (stdin: one per line)
  email check [<address>] [--no-dns]               JSON verdict (stdin: one per line, JSON lines)
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
async function withDatabase<T>(io: Io, fn: (db: import('../db').Database, env: import('../app/lib/env.server').Env) => Promise<T>): Promise<T> {
  const { prepareEnvironment } = await import('./runtime');
  const prepared = await prepareEnvironment({ log: (m) => io.stderr.write(`${m}\n`) });
  const { createDatabase } = await import('../db');
  const { appDatabaseUrl } = await import('../app/lib/env.server');
  const db = createDatabase(appDatabaseUrl(prepared.env), { max: 4 });
  try {
    return await fn(db, prepared.env);
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

commands.import = async (argv, io) => {
  const { values, positionals } = parse(
    argv,
    { tenant: { type: 'string' }, dedupe: { type: 'string', default: 'merge' }, 'dry-run': { type: 'boolean', default: false } },
    1,
  );
  if (!values.tenant) throw new UsageError('--tenant is required');
  if (values.dedupe !== 'merge' && values.dedupe !== 'skip') throw new UsageError('--dedupe must be merge or skip');
  const fs = await import('node:fs');
  const file = positionals[0];
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new UsageError(`no such file: ${file}`);
  const { UnusableFileError } = await import('../app/lib/import');
  return withDatabase(io, async (db, env) => {
    const tenantId = await db.tenantIdBySlug(values.tenant!);
    if (!tenantId) throw new UsageError(`no tenant with slug "${values.tenant}"`);
    const { importLeads } = await import('../app/models/lead-import.server');
    try {
      const summary = await importLeads(db, tenantId, fs.createReadStream(file), {
        dedupe: values.dedupe as 'merge' | 'skip',
        dryRun: values['dry-run'],
        actor: { type: 'import', id: 'cli' },
        writers: env.IMPORT_WRITERS,
      });
      io.stderr.write(
        `${values['dry-run'] ? 'dry run: ' : ''}${summary.rows} rows: ${summary.inserted} inserted, ${summary.updated} updated, ${summary.skipped} skipped, ${summary.errors.length} problems\n`,
      );
      writeJson(io, { ...summary, errors: summary.errors.map(({ row, column, message, severity }) => ({ row, column, message, severity })) });
      return 0;
    } catch (err) {
      if (err instanceof UnusableFileError) throw new UsageError(`${file}: ${err.message}`);
      throw err;
    }
  });
};

commands.export = async (argv, io) => {
  const { values } = parse(
    argv,
    {
      tenant: { type: 'string' },
      stage: { type: 'string' },
      owner: { type: 'string' },
      channel: { type: 'string' },
      source: { type: 'string' },
      tag: { type: 'string', multiple: true },
      'score-min': { type: 'string' },
      'score-max': { type: 'string' },
      'created-after': { type: 'string' },
      'created-before': { type: 'string' },
      q: { type: 'string' },
      sort: { type: 'string' },
    },
    0,
  );
  if (!values.tenant) throw new UsageError('--tenant is required');
  const params = new URLSearchParams();
  const names: Record<string, string> = { 'score-min': 'scoreMin', 'score-max': 'scoreMax', 'created-after': 'createdAfter', 'created-before': 'createdBefore' };
  for (const [k, v] of Object.entries(values)) {
    if (k === 'tenant' || v === undefined) continue;
    for (const item of Array.isArray(v) ? v : [v]) params.append(names[k] ?? k, String(item));
  }
  const { parseLeadFilter } = await import('../app/models/lead-filter');
  const parsed = parseLeadFilter(params);
  if (!parsed.ok) throw new UsageError(parsed.errors.map((e) => `${e.field}: ${e.message}`).join('; '));
  return withDatabase(io, async (db) => {
    const tenantId = await db.tenantIdBySlug(values.tenant!);
    if (!tenantId) throw new UsageError(`no tenant with slug "${values.tenant}"`);
    const { exportStream } = await import('../app/models/lead-export.server');
    const reader = exportStream(db, tenantId, parsed.filter).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!io.stdout.write(value)) await new Promise((r) => io.stdout.once('drain', r));
    }
    return 0;
  });
};

commands['model evaluate'] = async (argv, io) => {
  const { values } = parse(
    argv,
    {
      csv: { type: 'string' },
      label: { type: 'string' },
      positive: { type: 'string' },
      exclude: { type: 'string' },
      folds: { type: 'string', default: '5' },
      seed: { type: 'string', default: '1' },
    },
    0,
  );
  if (!values.csv) throw new UsageError('--csv is required');
  if (!values.label) throw new UsageError('--label is required');
  const folds = Number(values.folds);
  const seed = Number(values.seed);
  if (!Number.isInteger(folds) || folds < 2 || folds > 20) throw new UsageError('--folds must be an integer from 2 to 20');
  if (!Number.isInteger(seed)) throw new UsageError('--seed must be an integer');
  const fs = await import('node:fs');
  if (!fs.existsSync(values.csv)) throw new UsageError(`no such file: ${values.csv}`);
  const { evaluateCsv } = await import('../worker/scoring/csv');
  let result;
  try {
    result = await evaluateCsv(values.csv, {
      label: values.label,
      positive: values.positive,
      exclude: values.exclude ? values.exclude.split(',').map((c) => c.trim()).filter(Boolean) : [],
      folds,
      seed,
    });
  } catch (err) {
    // Data problems (no such label column, one class only, too few rows) are the caller's to fix.
    throw new UsageError((err as Error).message);
  }
  for (const w of result.warnings) io.stderr.write(`warning: ${w}\n`);
  for (const ex of result.excluded ?? []) io.stderr.write(`excluded ${ex.column}: ${ex.reason}\n`);
  writeJson(io, { auc: result.auc, accuracy: result.accuracy, logloss: result.logloss, n: result.n, positives: result.positives, folds: result.folds });
  return 0;
};

async function readJsonFile(file: string): Promise<unknown> {
  const fs = await import('node:fs');
  if (!fs.existsSync(file)) throw new UsageError(`no such file: ${file}`);
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
  } catch (err) {
    throw new UsageError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
}

commands['workflow compile'] = async (argv, io) => {
  const { values, positionals } = parse(
    argv,
    {
      'workflow-id': { type: 'string', default: '00000000-0000-4000-8000-000000000000' },
      name: { type: 'string' },
      tenant: { type: 'string', default: 'cli' },
      'api-url': { type: 'string', default: 'http://127.0.0.1:3000' },
      'allow-code': { type: 'boolean', default: false },
    },
    1,
  );
  const input = (await readJsonFile(positionals[0])) as { graph?: unknown; name?: string };
  // Accept a bare graph or a template file ({id, name, graph}).
  const graph = (input && typeof input === 'object' && 'graph' in input ? input.graph : input) as import('@leadflow/workflow-compiler').FlowGraph;
  const { compile } = await import('@leadflow/workflow-compiler');
  const anyCred = (kind: string) => ({ id: `cli-${kind}`, name: kind });
  // Every credential kind counts as configured: compile checks the graph, not a tenant's setup.
  const credentials = new Proxy({} as Record<string, { id: string; name: string }>, {
    get: (_t, k: string) => anyCred(k),
    has: () => true,
  });
  const result = compile(
    graph,
    { workflowId: values['workflow-id']!, name: values.name ?? input?.name ?? 'Workflow', tenantId: '00000000-0000-4000-8000-000000000000', tenantSlug: values.tenant! },
    { leadflowApiUrl: values['api-url']!, leadflowCredentialId: 'cli-leadflow', credentials, allowCodeNodes: values['allow-code']! },
  );
  if (!result.ok) {
    io.stderr.write(`${JSON.stringify(result.errors.map((e) => ({ nodeId: e.nodeId, message: e.message })))}\n`);
    return 2;
  }
  writeJson(io, result.workflow);
  return 0;
};

commands['workflow decompile'] = async (argv, io) => {
  const { positionals } = parse(argv, {}, 1);
  const workflow = await readJsonFile(positionals[0]);
  const { decompile, DecompileError } = await import('@leadflow/workflow-compiler');
  try {
    writeJson(io, decompile(workflow as never));
    return 0;
  } catch (err) {
    if (err instanceof DecompileError) throw new UsageError(err.message);
    throw err;
  }
};

commands.score = async (argv, io) => {
  const { values, positionals } = parse(argv, { tenant: { type: 'string' } }, 1);
  if (!values.tenant) throw new UsageError('--tenant is required');
  const leadId = positionals[0];
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(leadId)) throw new UsageError(`invalid lead id "${leadId}"`);
  return withDatabase(io, async (db) => {
    const tenantId = await db.tenantIdBySlug(values.tenant!);
    if (!tenantId) throw new UsageError(`no tenant with slug "${values.tenant}"`);
    const { explainLeadScore } = await import('../app/models/scoring.server');
    const result = await db.withTenant(tenantId, (tx) => explainLeadScore(tx, leadId));
    if (!result) {
      io.stderr.write(`leadflow score: no lead ${leadId} in ${values.tenant}\n`);
      return 1;
    }
    writeJson(io, result);
    return 0;
  });
};

commands.domain = async (argv, io) => {
  const { runDomainCommand } = await import('../worker/enrichment/cli');
  return runDomainCommand(argv, io.stdin as NodeJS.ReadableStream, io.stdout, { stderr: io.stderr });
};

commands['email check'] = async (argv, io) => {
  const { runEmailCheckCommand } = await import('../worker/enrichment/cli');
  return runEmailCheckCommand(argv, io.stdin as NodeJS.ReadableStream, io.stdout, { stderr: io.stderr });
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
