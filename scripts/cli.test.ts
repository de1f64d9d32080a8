import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli';
import { uniqueSlug } from '../test/helpers';

async function run(argv: string[], stdinText: string | null = null) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c) => (out += c));
  stderr.on('data', (c) => (err += c));
  const stdin = stdinText === null ? Object.assign(Readable.from([]), { isTTY: true }) : Readable.from([stdinText]);
  const code = await runCli(argv, { stdin, stdout, stderr });
  return { code, out, err };
}

describe('leadflow CLI', () => {
  it('creates a tenant and prints JSON on stdout', async () => {
    const slug = uniqueSlug('cli');
    const r = await run(['tenant', 'create', slug, '--name', 'CLI Co']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ slug, name: 'CLI Co' });
    expect(r.err).toContain(`created tenant ${slug}`);
    const again = await run(['tenant', 'create', slug, '--name', 'Again']);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/taken/);
  });

  it('creates a user with a generated password, or one read from stdin', async () => {
    const slug = uniqueSlug('cli');
    await run(['tenant', 'create', slug, '--name', 'Users Co']);
    const generated = await run(['user', 'create', `Gen@${slug}.example`, '--tenant', slug, '--role', 'rep']);
    expect(generated.code).toBe(0);
    const g = JSON.parse(generated.out);
    expect(g).toMatchObject({ email: `gen@${slug}.example`, tenant: slug, role: 'rep' });
    expect(g.password).toMatch(/^[\w-]{16}$/);
    const piped = await run(['user', 'create', `pipe@${slug}.example`, '--tenant', slug, '--role', 'viewer'], 'a-long-password-1\n');
    expect(piped.code).toBe(0);
    expect(JSON.parse(piped.out).password).toBeUndefined();
  });

  it('exits 2 with a clear message on bad arguments', async () => {
    const cases: Array<[string[], RegExp]> = [
      [[], /Usage/],
      [['frobnicate'], /unknown command/],
      [['tenant', 'create', 'Bad Slug', '--name', 'x'], /invalid slug/],
      [['tenant', 'create', 'ok-slug'], /--name is required/],
      [['tenant', 'create', 'ok-slug', '--name', 'x', '--colour', 'red'], /Unknown option '--colour'/],
      [['user', 'create', 'not-an-email', '--tenant', 'x', '--role', 'rep'], /invalid email/],
      [['user', 'create', 'a@b.example', '--tenant', 'x', '--role', 'king'], /--role must be one of/],
      [['user', 'create', 'a@b.example', '--tenant', 'no-such-tenant-zz', '--role', 'rep'], /no tenant with slug/],
    ];
    for (const [argv, message] of cases) {
      const r = await run(argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.out).toBe('');
    }
  });

  it('db migrate is idempotent', async () => {
    const r = await run(['db', 'migrate']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ migrated: true });
  });
});
