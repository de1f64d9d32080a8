import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkEmail, checkMailHost, parseEmailAddress } from './email.js';
import { createStaticResolver, dnsError, type Resolver } from './dns.js';
import { isDisposableDomain, isFreeMailDomain, isRoleLocalPart } from './lists.js';
import { CONFORMANCE_DIR } from './test-support.js';

const EMAIL_DIR = path.join(CONFORMANCE_DIR, 'email');

interface IsEmailCase {
  id: number;
  address: string;
  category: string;
  diagnosis: string;
}

function isEmailSuite(file: string): IsEmailCase[] {
  return (JSON.parse(fs.readFileSync(path.join(EMAIL_DIR, file), 'utf8')) as { tests: IsEmailCase[] }).tests;
}

/** The policy in README.md, by is_email category. */
function policyAccepts(c: IsEmailCase): boolean {
  if (c.category === 'ISEMAIL_VALID_CATEGORY' || c.category === 'ISEMAIL_DNSWARN') return true;
  // Of the RFC 5321 category we accept quoted local parts only (validator.js block 0 requires them).
  return c.diagnosis === 'ISEMAIL_RFC5321_QUOTEDSTRING';
}

/**
 * Our two documented domain rules that is_email leaves to DNS: a dotless domain ("test@io",
 * VALID in the suite only because its author's resolver found an MX on the TLD) and a
 * one-character TLD (no such TLD exists; validator.js block 0 rejects "z@co.c"). Derived from
 * the address by rule, never by case id.
 */
function domainRuleRejects(address: string): 'single_label_domain' | 'invalid_tld' | null {
  const domain = address.slice(address.lastIndexOf('@') + 1);
  if (!domain.includes('.')) return 'single_label_domain';
  const tld = domain.slice(domain.lastIndexOf('.') + 1);
  return Array.from(tld).length === 1 ? 'invalid_tld' : null;
}

describe.each(['isemail_tests_flat.json', 'isemail_tests-original_flat.json'])('is_email suite %s', (file) => {
  const cases = isEmailSuite(file);
  it('has cases of every category', () => {
    expect(new Set(cases.map((c) => c.category)).size).toBe(7);
  });
  it.each(cases.map((c) => [c.id, c.category.replace('ISEMAIL_', ''), c.address, c] as const))(
    '#%i %s %j',
    (_id, _cat, address, c) => {
      const result = parseEmailAddress(address);
      const accepts = policyAccepts(c);
      const rule = accepts ? domainRuleRejects(address) : null;
      if (rule) {
        expect(result).toEqual({ ok: false, reason: rule });
      } else {
        expect(result.ok).toBe(accepts);
      }
    },
  );
  it('departs from the suite through the two domain rules only, rarely', () => {
    const departures = cases.filter((c) => policyAccepts(c) && domainRuleRejects(c.address));
    expect(departures.length).toBeLessThanOrEqual(3);
  });
});

describe('validator.js isEmail vectors', () => {
  const suite = JSON.parse(fs.readFileSync(path.join(EMAIL_DIR, 'validatorjs_isEmail_cases.json'), 'utf8')) as {
    cases: { it: string; args: unknown[]; valid: string[]; invalid: string[] }[];
  };
  // Blocks with default options: block 0 (18 valid / 41 invalid) and the unpaired-surrogate block.
  const defaults = suite.cases.filter((c) => c.args.length === 0);
  it('block 0 is the default-options block', () => {
    expect(defaults[0]!.valid).toHaveLength(18);
    expect(defaults[0]!.invalid).toHaveLength(41);
  });
  for (const [i, block] of defaults.entries()) {
    describe(`block "${block.it}" (#${i})`, () => {
      it.each(block.valid.map((a) => [a]))('accepts %j', (address) => {
        expect(parseEmailAddress(address).ok).toBe(true);
      });
      it.each(block.invalid.map((a) => [a]))('rejects %j', (address) => {
        expect(parseEmailAddress(address).ok).toBe(false);
      });
    });
  }
});

describe('parseEmailAddress — reasons', () => {
  it.each([
    ['', 'empty'],
    ['john.example.com', 'missing_at'],
    ['@example.com', 'missing_local_part'],
    ['john@', 'missing_domain'],
    ['john doe@example.com', 'whitespace'],
    [' john@example.com', 'whitespace'],
    ['john@example.com\n', 'whitespace'],
    ['john(x)@example.com', 'comment'],
    ['john..doe@example.com', 'invalid_local_part'],
    ['"john"doe@example.com', 'invalid_local_part'],
    ['"john@example.com', 'unclosed_quoted_string'],
    ['john@[192.0.2.1]', 'ip_literal'],
    ['john@localhost', 'single_label_domain'],
    ['john@example.123', 'numeric_tld'],
    ['john@192.168.0.1', 'numeric_tld'],
    ['john@example.c', 'invalid_tld'],
    ['john@exa_mple.com', 'invalid_domain'],
    ['john@-example.com', 'invalid_domain'],
    ['john@example..com', 'invalid_domain'],
    ['john@example.com.', 'invalid_domain'],
    [`${'a'.repeat(65)}@example.com`, 'local_part_too_long'],
    [`john@${'a'.repeat(64)}.com`, 'label_too_long'],
    [`john@${Array.from({ length: 5 }, () => 'a'.repeat(60)).join('.')}.com`, 'domain_too_long'],
    [`${'a'.repeat(64)}@${Array.from({ length: 3 }, () => 'a'.repeat(60)).join('.')}.abcdefgh.com`, 'address_too_long'],
    ['somename@ｇｍａｉｌ.com', 'invalid_domain'],
  ])('%j → %s', (address, reason) => {
    expect(parseEmailAddress(address)).toEqual({ ok: false, reason });
  });

  it('accepts international addresses and gives the A-label', () => {
    const r = parseEmailAddress('jürgen@Müller.de');
    expect(r).toMatchObject({ ok: true, localPart: 'jürgen', domain: 'müller.de', asciiDomain: 'xn--mller-kva.de' });
  });
});

describe('checkEmail without DNS', () => {
  it('returns the documented shape', async () => {
    const r = await checkEmail('Info+News@Mail.Example.co.uk');
    expect(r).toEqual({
      address: 'Info+News@Mail.Example.co.uk',
      valid: true,
      reason: null,
      normalized: 'info+news@mail.example.co.uk',
      domain: 'mail.example.co.uk',
      registrableDomain: 'example.co.uk',
      free: false,
      disposable: false,
      role: true,
      dns: 'skipped',
      mx: [],
    });
  });
  it('unquotes a quoted local part that is a plain dot-atom', async () => {
    expect((await checkEmail('"john.doe"@example.com')).normalized).toBe('john.doe@example.com');
    expect((await checkEmail('"john doe"@example.com')).normalized).toBe('"john doe"@example.com');
  });
  it('flags free, disposable and role addresses from the lists', async () => {
    expect(await checkEmail('jane@gmail.com')).toMatchObject({ valid: true, free: true, disposable: false, role: false });
    expect(await checkEmail('x@mailinator.com')).toMatchObject({ valid: true, disposable: true });
    expect(await checkEmail('no-reply@acme-industries.com')).toMatchObject({ role: true, free: false });
    expect(await checkEmail('nope')).toMatchObject({
      valid: false,
      reason: 'missing_at',
      domain: null,
      registrableDomain: null,
      free: false,
    });
  });
  it('matches list entries on parent domains, never on a public suffix', () => {
    expect(isDisposableDomain('eu.mailinator.com')).toBe(true);
    expect(isFreeMailDomain('yahoo.co.uk')).toBe(true);
    expect(isFreeMailDomain('co.uk')).toBe(false);
    expect(isRoleLocalPart('Sales+EMEA')).toBe(true);
    expect(isRoleLocalPart('no_reply')).toBe(true);
    expect(isRoleLocalPart('jane.doe')).toBe(false);
  });
});

describe('checkEmail with an injected resolver', () => {
  const resolver = createStaticResolver({
    'acme.example': {
      mx: [
        { exchange: 'mx2.acme.example', priority: 20 },
        { exchange: 'MX1.acme.example.', priority: 10 },
      ],
    },
    'a-only.example': { a: ['192.0.2.10'] },
    'aaaa-only.example': { aaaa: ['2001:db8::1'] },
    'null-mx.example': { mx: [{ exchange: '', priority: 0 }], a: ['192.0.2.1'] },
    'nothing.example': { a: [] },
    'slow.example': { fail: 'ETIMEOUT' },
    'broken.example': { fail: 'ESERVFAIL' },
  });

  it('reports MX hosts sorted by priority', async () => {
    const r = await checkEmail('jane@acme.example', { dns: resolver });
    expect(r).toMatchObject({ valid: true, dns: 'ok' });
    expect(r.mx).toEqual([
      { exchange: 'mx1.acme.example', priority: 10 },
      { exchange: 'mx2.acme.example', priority: 20 },
    ]);
  });
  it('falls back to A/AAAA (implicit MX) when there is no MX', async () => {
    expect(await checkEmail('jane@a-only.example', { dns: resolver })).toMatchObject({ valid: true, dns: 'ok' });
    expect(await checkMailHost(resolver, 'aaaa-only.example')).toMatchObject({ status: 'ok', via: 'a' });
  });
  it('says no_mail_host only on a definite answer', async () => {
    expect(await checkEmail('jane@missing.example', { dns: resolver })).toMatchObject({
      valid: false,
      reason: 'no_mail_host',
      dns: 'no_mail_host',
    });
    expect(await checkEmail('jane@nothing.example', { dns: resolver })).toMatchObject({ valid: false, dns: 'no_mail_host' });
    expect(await checkMailHost(resolver, 'null-mx.example')).toMatchObject({ status: 'no_mail_host', via: 'null_mx' });
  });
  it('treats timeouts, SERVFAIL and silence as unknown, not invalid', async () => {
    expect(await checkEmail('jane@slow.example', { dns: resolver })).toMatchObject({ valid: true, reason: null, dns: 'unknown' });
    expect(await checkEmail('jane@broken.example', { dns: resolver })).toMatchObject({ valid: true, dns: 'unknown' });
    const silent: Resolver = {
      resolveMx: () => new Promise(() => undefined),
      resolve4: () => new Promise(() => undefined),
      resolve6: () => new Promise(() => undefined),
    };
    expect(await checkEmail('jane@acme.example', { dns: silent, dnsTimeoutMs: 50 })).toMatchObject({
      valid: true,
      dns: 'unknown',
    });
  });
  it('treats a transient A failure after "no MX" as unknown', async () => {
    const flaky: Resolver = {
      resolveMx: (h) => Promise.reject(dnsError('ENODATA', h)),
      resolve4: (h) => Promise.reject(dnsError('ETIMEOUT', h)),
      resolve6: (h) => Promise.reject(dnsError('ENODATA', h)),
    };
    expect(await checkMailHost(flaky, 'x.example')).toMatchObject({ status: 'unknown' });
  });
  it('does not query DNS for a syntactically invalid address', async () => {
    const counting = createStaticResolver({});
    await checkEmail('not an address', { dns: counting });
    expect(counting.calls).toEqual([]);
  });
  it('looks a domain up once per cache', async () => {
    const counting = createStaticResolver({ 'acme.example': { mx: [{ exchange: 'mx.acme.example', priority: 1 }] } });
    const mailHostCache = new Map();
    await Promise.all(['a', 'b', 'c'].map((l) => checkEmail(`${l}@acme.example`, { dns: counting, mailHostCache })));
    expect(counting.calls).toEqual(['MX acme.example']);
  });
});
