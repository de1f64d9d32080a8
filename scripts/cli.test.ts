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

describe('leadflow workflow compile / decompile', () => {
  it('compiles a template to n8n JSON and decompiles it back to the same graph', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const compiled = await run(['workflow', 'compile', 'workflows/new-lead-routing.json']);
    expect(compiled.code).toBe(0);
    const workflow = JSON.parse(compiled.out);
    expect(Object.keys(workflow).sort()).toEqual(['connections', 'name', 'nodes', 'settings']);
    expect(workflow.settings).toEqual({ executionOrder: 'v1' });
    const again = await run(['workflow', 'compile', 'workflows/new-lead-routing.json']);
    expect(again.out).toBe(compiled.out); // deterministic
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'wf-')), 'n8n.json');
    fs.writeFileSync(file, compiled.out);
    const graph = await run(['workflow', 'decompile', file]);
    expect(graph.code).toBe(0);
    const template = JSON.parse(fs.readFileSync('workflows/new-lead-routing.json', 'utf8'));
    const back = JSON.parse(graph.out);
    const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
    expect(back.nodes.map((n: { id: string; type: string }) => [n.id, n.type]).sort()).toEqual(
      template.graph.nodes.map((n: { id: string; type: string }) => [n.id, n.type]).sort(),
    );
    expect(back.edges.length).toBe(template.graph.edges.length);
    expect([...back.nodes].sort(byId).map((n: { data: unknown }) => n.data)).toEqual([...template.graph.nodes].sort(byId).map((n: { data: unknown }) => n.data));
  });

  it('an invalid graph exits 2 with a JSON list of {nodeId, message} on stderr', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'wf-')), 'bad.json');
    fs.writeFileSync(file, JSON.stringify({ nodes: [{ id: 'a', type: 'logic.if', position: { x: 0, y: 0 }, data: {} }], edges: [] }));
    const r = await run(['workflow', 'compile', file]);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    const errors = JSON.parse(r.err) as Array<{ nodeId: string | null; message: string }>;
    expect(errors).toContainEqual({ nodeId: null, message: expect.stringMatching(/trigger/) });
    expect(errors).toContainEqual({ nodeId: 'a', message: expect.stringMatching(/Conditions/) });
    expect((await run(['workflow', 'compile', '/no/such.json'])).code).toBe(2);
  });
});
