import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runDomainCommand, runEmailCheckCommand } from './cli.js';
import { dnsError, type Resolver } from './dns.js';

function capture(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

const noStdin = '';

describe('leadflow domain', () => {
  it('prints the registrable domain of each argument', async () => {
    const out = capture();
    expect(
      await runDomainCommand(['jane@mail.example.co.uk', 'https://www.example.com/x', 'localhost'], noStdin, out.stream),
    ).toBe(0);
    expect(out.text()).toBe('example.co.uk\nexample.com\n\n');
  });
  it('answers stdin line for line, empty line when none, CRLF tolerated', async () => {
    const out = capture();
    await runDomainCommand([], 'a.b.example.com\r\n\r\n127.0.0.1\nfoo@bar.github.io\nco.uk\n', out.stream);
    expect(out.text()).toBe('example.com\n\n\nbar.github.io\n\n');
  });
  it('handles thousands of lines from a stream, in order', async () => {
    const input = new PassThrough();
    const lines = Array.from({ length: 20_000 }, (_, i) =>
      i % 3 === 0 ? `user${i}@mail.host${i}.com` : i % 3 === 1 ? `https://w${i}.shop${i}.co.uk/` : `bad..host${i}`,
    );
    const out = capture();
    const done = runDomainCommand([], input, out.stream);
    for (let i = 0; i < lines.length; i += 1000) input.write(lines.slice(i, i + 1000).join('\n') + '\n');
    input.end();
    await done;
    const got = out.text().split('\n');
    expect(got).toHaveLength(lines.length + 1);
    expect(got[0]).toBe('host0.com');
    expect(got[1]).toBe('shop1.co.uk');
    expect(got[2]).toBe('');
    expect(got[19_999]).toBe('shop19999.co.uk');
  });
  it('rejects unknown options', async () => {
    const out = capture();
    const err = capture();
    expect(await runDomainCommand(['--bogus'], noStdin, out.stream, { stderr: err.stream })).toBe(2);
    expect(err.text()).toContain('usage');
  });
});

describe('leadflow email check', () => {
  it('prints the documented JSON with --no-dns', async () => {
    const out = capture();
    expect(await runEmailCheckCommand(['check', 'Sales@Example.co.uk', '--no-dns'], noStdin, out.stream)).toBe(0);
    expect(JSON.parse(out.text())).toEqual({
      address: 'Sales@Example.co.uk',
      valid: true,
      reason: null,
      normalized: 'sales@example.co.uk',
      domain: 'example.co.uk',
      registrableDomain: 'example.co.uk',
      free: false,
      disposable: false,
      role: true,
    });
    expect(Object.keys(JSON.parse(out.text()) as object)).toEqual([
      'address',
      'valid',
      'reason',
      'normalized',
      'domain',
      'registrableDomain',
      'free',
      'disposable',
      'role',
    ]);
  });
  it('reports invalid input with a reason, one line per input line', async () => {
    const out = capture();
    await runEmailCheckCommand(['check', '--no-dns'], 'no-at-sign\n\njane@gmail.com\n', out.stream);
    const rows = out
      .text()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { address: string; valid: boolean; reason: string | null; free: boolean });
    expect(rows.map((r) => [r.address, r.valid, r.reason])).toEqual([
      ['no-at-sign', false, 'missing_at'],
      ['', false, 'empty'],
      ['jane@gmail.com', true, null],
    ]);
    expect(rows[2]!.free).toBe(true);
  });
  it('checks thousands of addresses with bounded DNS concurrency, once per domain, in order', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const lookups = new Map<string, number>();
    const slow = <T>(host: string, value: () => Promise<T>): Promise<T> => {
      lookups.set(host, (lookups.get(host) ?? 0) + 1);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      // Later domains answer sooner: output order must still follow input order.
      const delay = 20 - (Number(/\d+/.exec(host)?.[0] ?? 0) % 20);
      return new Promise<T>((resolve, reject) =>
        setTimeout(() => {
          inFlight--;
          value().then(resolve, reject);
        }, delay),
      );
    };
    const resolver: Resolver = {
      resolveMx: (host) =>
        slow(host, () =>
          host.startsWith('nomx')
            ? Promise.reject(dnsError('ENOTFOUND', host))
            : Promise.resolve([{ exchange: `mx.${host}`, priority: 10 }]),
        ),
      resolve4: (host) => slow(host, () => Promise.reject(dnsError('ENOTFOUND', host))),
      resolve6: (host) => slow(host, () => Promise.reject(dnsError('ENOTFOUND', host))),
    };
    const addresses = Array.from({ length: 3000 }, (_, i) => `person${i}@${i % 10 === 0 ? 'nomx' : 'co'}${i % 200}.example`);
    const out = capture();
    await runEmailCheckCommand(['check'], addresses.join('\n') + '\n', out.stream, { dns: resolver, concurrency: 16 });
    const rows = out
      .text()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { address: string; valid: boolean; dns: string; mx: unknown[] });
    expect(rows.map((r) => r.address)).toEqual(addresses);
    expect(rows[1]).toMatchObject({ valid: true, dns: 'ok', mx: [{ exchange: 'mx.co1.example', priority: 10 }] });
    expect(rows[0]).toMatchObject({ valid: false, dns: 'no_mail_host' });
    expect(maxInFlight).toBeLessThanOrEqual(16);
    expect(Math.max(...lookups.values())).toBe(1);
  });
  it('rejects unknown options', async () => {
    const err = capture();
    expect(await runEmailCheckCommand(['check', '--fast'], noStdin, capture().stream, { stderr: err.stream })).toBe(2);
  });
});
