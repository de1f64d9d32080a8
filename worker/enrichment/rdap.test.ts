import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lookupRdapDomain, parseRdapDomain } from './rdap.js';
import { defineProvider } from './provider.js';
import { startLoopbackServer, type LoopbackServer } from './test-support.js';
import { createStaticResolver } from './dns.js';

// Shaped on the domain object example of RFC 9083 §5.3, with a registrar entity as gTLD
// registries return it (RFC 9083 §5.1 entity with role "registrar", vCard fn, IANA id).
const SAMPLE = {
  objectClassName: 'domain',
  handle: 'XXXX',
  ldhName: 'xn--fo-5ja.example',
  unicodeName: 'fóo.example',
  status: ['locked', 'transfer prohibited'],
  rdapConformance: ['rdap_level_0'],
  nameservers: [
    { objectClassName: 'nameserver', handle: 'XXXX', ldhName: 'ns1.example.com', status: ['active'] },
    { objectClassName: 'nameserver', handle: 'XXXX', ldhName: 'NS2.example.com.', status: ['active'] },
  ],
  secureDNS: { zoneSigned: true, delegationSigned: true, maxSigLife: 604800 },
  remarks: [{ description: ['She sells sea shells down by the sea shore.', 'Originally written by Terry Sullivan.'] }],
  links: [
    {
      value: 'https://example.net/domain/xn--fo-5ja.example',
      rel: 'self',
      href: 'https://example.net/domain/xn--fo-5ja.example',
      type: 'application/rdap+json',
    },
  ],
  port43: 'whois.example.net',
  events: [
    { eventAction: 'registration', eventDate: '1990-12-31T23:59:59Z' },
    { eventAction: 'last changed', eventDate: '1991-12-31T23:59:59Z', eventActor: 'joe@example.com' },
    { eventAction: 'expiration', eventDate: '2030-12-31T23:59:59Z' },
  ],
  entities: [
    {
      objectClassName: 'entity',
      handle: 'XXXX',
      vcardArray: [
        'vcard',
        [
          ['version', {}, 'text', '4.0'],
          ['fn', {}, 'text', 'Joe User'],
          ['kind', {}, 'text', 'individual'],
        ],
      ],
      roles: ['registrant'],
    },
    {
      objectClassName: 'entity',
      handle: '292',
      roles: ['registrar'],
      publicIds: [{ type: 'IANA Registrar ID', identifier: '292' }],
      vcardArray: [
        'vcard',
        [
          ['version', {}, 'text', '4.0'],
          ['fn', {}, 'text', 'Example Registrar, Inc.'],
        ],
      ],
      entities: [{ objectClassName: 'entity', roles: ['abuse'], vcardArray: ['vcard', [['fn', {}, 'text', 'Abuse Desk']]] }],
    },
  ],
};

const NOW = new Date('2024-01-01T00:00:00Z');

describe('parseRdapDomain', () => {
  it('reads registration, registrar, status and nameservers', () => {
    expect(parseRdapDomain(SAMPLE, NOW)).toEqual({
      domain: 'xn--fo-5ja.example',
      handle: 'XXXX',
      registrar: { name: 'Example Registrar, Inc.', ianaId: '292' },
      registeredAt: '1990-12-31T23:59:59.000Z',
      expiresAt: '2030-12-31T23:59:59.000Z',
      updatedAt: '1991-12-31T23:59:59.000Z',
      ageDays: 12053,
      status: ['locked', 'transfer prohibited'],
      nameservers: ['ns1.example.com', 'ns2.example.com'],
      dnssec: true,
      source: null,
    });
  });
  it('tolerates missing and malformed optional members', () => {
    const r = parseRdapDomain(
      { objectClassName: 'domain', ldhName: 'EXAMPLE.COM', events: 'oops', entities: [{ roles: ['registrar'] }] },
      NOW,
    );
    expect(r).toMatchObject({ domain: 'example.com', registrar: null, registeredAt: null, ageDays: null, status: [] });
  });
  it('rejects an object that is not a domain', () => {
    expect(() => parseRdapDomain({ objectClassName: 'entity' })).toThrow(/not a domain/);
    expect(() => parseRdapDomain('nope')).toThrow();
  });
});

describe('lookupRdapDomain against a loopback RDAP server', () => {
  let server: LoopbackServer;
  let failuresLeft = 0;
  beforeAll(async () => {
    server = await startLoopbackServer((req, res) => {
      const path = req.url ?? '';
      if (path === '/rdap/domain/flaky.example' && failuresLeft > 0) {
        failuresLeft--;
        res.writeHead(503, { 'retry-after': '0' });
        res.end();
        return;
      }
      if (path === '/rdap/domain/xn--fo-5ja.example' || path === '/rdap/domain/flaky.example') {
        res.writeHead(200, { 'content-type': 'application/rdap+json' });
        res.end(JSON.stringify(SAMPLE));
        return;
      }
      if (path === '/bootstrap/domain/moved.example') {
        // rdap.org-style redirect to the authoritative server.
        res.writeHead(302, { location: `${server.origin}/rdap/domain/xn--fo-5ja.example` });
        res.end();
        return;
      }
      if (path === '/rdap/domain/html.example') {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<html></html>');
        return;
      }
      res.writeHead(404, { 'content-type': 'application/rdap+json' });
      res.end(JSON.stringify({ errorCode: 404, title: 'Not Found' }));
    });
  });
  afterAll(async () => {
    await server.close();
  });

  it('fetches {base}/domain/{A-label} and parses it', async () => {
    const r = await lookupRdapDomain('fóo.example', { baseUrl: `${server.origin}/rdap/`, now: () => NOW });
    expect(r).toMatchObject({ domain: 'xn--fo-5ja.example', registrar: { name: 'Example Registrar, Inc.' }, ageDays: 12053 });
    expect(r?.source).toBe(`${server.origin}/rdap/domain/xn--fo-5ja.example`);
    expect(server.requests.at(-1)?.headers.accept).toContain('application/rdap+json');
  });
  it('follows a bootstrap redirect (re-checked like any hop)', async () => {
    const r = await lookupRdapDomain('moved.example', { baseUrl: `${server.origin}/bootstrap`, now: () => NOW });
    expect(r?.registrar?.name).toBe('Example Registrar, Inc.');
  });
  it('refuses a redirect to a host that is not allowed', async () => {
    const resolver = createStaticResolver({ 'rdap.test': { a: ['127.0.0.1'] } });
    // The base host is trusted by configuration, but 127.0.0.1 (where it redirects) is not.
    await expect(
      lookupRdapDomain('moved.example', { baseUrl: `http://rdap.test:${server.port}/bootstrap`, resolver }),
    ).rejects.toMatchObject({
      code: 'ssrf_blocked',
    });
  });
  it('returns null for an unknown domain (404)', async () => {
    expect(await lookupRdapDomain('unknown.example', { baseUrl: `${server.origin}/rdap` })).toBeNull();
  });
  it('fails on a non-JSON answer', async () => {
    await expect(lookupRdapDomain('html.example', { baseUrl: `${server.origin}/rdap` })).rejects.toMatchObject({
      code: 'unsupported_content_type',
    });
  });
  it('is retried by the provider wrapper on 503', async () => {
    failuresLeft = 2;
    let attempts = 0;
    const provider = defineProvider(
      {
        name: 'rdap',
        key: (d: string) => d,
        retries: 3,
        backoff: { baseMs: 1, maxMs: 5 },
        run: async (domain, { signal }) => {
          attempts++;
          const value = await lookupRdapDomain(domain, { baseUrl: `${server.origin}/rdap` }, signal);
          return { value, confidence: 0.95 };
        },
      },
      { cache: null },
    );
    const r = await provider('flaky.example');
    expect(attempts).toBe(3);
    expect(r.provenance).toMatchObject({ provider: 'rdap', attempts: 3, cached: false, confidence: 0.95 });
    expect(r.value?.registrar?.ianaId).toBe('292');
  });
});
