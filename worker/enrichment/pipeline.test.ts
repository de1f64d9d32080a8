import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaticResolver } from './dns.js';
import { createEnricher, enrichLead, type EnrichmentDeps } from './pipeline.js';
import { MemoryLruCache } from './provider.js';
import { startLoopbackServer, type LoopbackServer } from './test-support.js';
import type { IndustryClassifier } from './industry.js';

const PAGE = `<html lang="en"><head><title>Acme Robotics</title>
<meta name="description" content="Industrial robots, CNC machining and factory automation systems for manufacturers.">
</head><body><h1>Precision manufacturing</h1>
<a href="https://www.linkedin.com/company/acme-robotics">LinkedIn</a>
<a href="tel:+442079460018">Call us</a></body></html>`;

const RDAP = {
  objectClassName: 'domain',
  ldhName: 'acme.test',
  status: ['active'],
  events: [{ eventAction: 'registration', eventDate: '2010-03-01T00:00:00Z' }],
  entities: [
    { objectClassName: 'entity', roles: ['registrar'], vcardArray: ['vcard', [['fn', {}, 'text', 'Test Registrar Ltd']]] },
  ],
};

let server: LoopbackServer;
let rdapFails = false;
beforeAll(async () => {
  server = await startLoopbackServer((req, res) => {
    if (req.url?.startsWith('/rdap/domain/')) {
      if (rdapFails) {
        res.writeHead(503);
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/rdap+json' });
      res.end(JSON.stringify(RDAP));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(PAGE);
  });
});
afterAll(async () => {
  await server.close();
});

const resolver = createStaticResolver({
  'acme.test': { a: ['127.0.0.1'], mx: [{ exchange: 'mx.acme.test', priority: 10 }] },
  'gmail.com': { mx: [{ exchange: 'gmail-smtp-in.l.google.com', priority: 5 }] },
});

function deps(extra: Partial<EnrichmentDeps> = {}): EnrichmentDeps {
  return {
    resolver,
    allowCidrs: ['127.0.0.1/32'],
    rdap: { baseUrl: `${server.origin}/rdap` },
    cache: new MemoryLruCache(),
    sleep: () => Promise.resolve(),
    tuning: { rdap: { retries: 1 }, website: { retries: 1 } },
    ...extra,
  };
}

describe('enrichLead', () => {
  it('runs every step and stores provenance with each result', async () => {
    const { enrichment, errors } = await enrichLead(
      { email: 'Jane.Doe@acme.test', website: `http://acme.test:${server.port}/about` },
      deps({ now: () => Date.parse('2024-01-01T00:00:00Z') }),
    );
    expect(errors).toEqual([]);
    expect(enrichment.domain?.value).toEqual({ emailDomain: 'acme.test', websiteHost: 'acme.test', companyDomain: 'acme.test' });
    expect(enrichment.email?.value).toMatchObject({ valid: true, dns: 'ok', normalized: 'jane.doe@acme.test', free: false });
    expect(enrichment.rdap?.value).toMatchObject({ registrar: { name: 'Test Registrar Ltd' }, ageDays: 5054 });
    expect(enrichment.website?.value).toMatchObject({
      title: 'Acme Robotics',
      language: 'en',
      url: `http://acme.test:${server.port}/`,
    });
    expect(enrichment.industry?.value.industry).toBe('manufacturing');
    expect(enrichment.social?.value.find((p) => p.network === 'linkedin')).toMatchObject({
      handle: 'acme-robotics',
      source: 'link',
    });
    expect(enrichment.geo?.value).toMatchObject({ country: 'GB', source: 'phone', timezone: 'Europe/London' });
    for (const step of ['domain', 'email', 'rdap', 'website', 'industry', 'social', 'geo'] as const) {
      const p = enrichment[step]!.provenance;
      expect(p.fetchedAt).toBe('2024-01-01T00:00:00.000Z');
      expect(p.confidence).toBeGreaterThan(0);
      expect(p.confidence).toBeLessThanOrEqual(1);
      expect(p.cached).toBe(false);
    }
    expect(enrichment.rdap!.provenance.provider).toBe('rdap');
    expect(enrichment.industry!.provenance.provider).toBe('industry-naive-bayes');
  });

  it('serves a second lead of the same company from the cache', async () => {
    const enricher = createEnricher(deps());
    const lead = { email: 'a@acme.test', website: `http://acme.test:${server.port}/` };
    await enricher.enrichLead(lead);
    const before = server.requests.length;
    const second = await enricher.enrichLead({ ...lead, email: 'a@acme.test' });
    expect(server.requests.length).toBe(before);
    expect(second.enrichment.rdap?.provenance.cached).toBe(true);
    expect(second.enrichment.website?.provenance.cached).toBe(true);
  });

  it('records a failing provider and still returns the others', async () => {
    rdapFails = true;
    try {
      const failingClassifier: IndustryClassifier = {
        name: 'broken-llm',
        classify: () => Promise.reject(new Error('model offline')),
      };
      const { enrichment, errors } = await enrichLead(
        { email: 'jane@acme.test', website: `http://acme.test:${server.port}/` },
        deps({ industry: failingClassifier }),
      );
      expect(errors).toEqual([
        expect.objectContaining({ step: 'rdap', provider: 'rdap', code: 'http_status', retryable: true, attempts: 2 }),
        expect.objectContaining({
          step: 'industry',
          provider: 'broken-llm',
          retryable: false,
          message: expect.stringContaining('model offline'),
        }),
      ]);
      expect(enrichment.rdap).toBeUndefined();
      expect(enrichment.industry).toBeUndefined();
      expect(enrichment.website?.value.title).toBe('Acme Robotics');
      expect(enrichment.email?.value.valid).toBe(true);
    } finally {
      rdapFails = false;
    }
  });

  it('does not treat free mail as a company domain', async () => {
    const { enrichment, errors } = await enrichLead({ email: 'jane@gmail.com', phone: '+49 30 901820' }, deps());
    expect(errors).toEqual([]);
    expect(enrichment.domain?.value.companyDomain).toBeNull();
    expect(enrichment.email?.value).toMatchObject({ free: true, dns: 'ok' });
    expect(enrichment.rdap).toBeUndefined();
    expect(enrichment.website).toBeUndefined();
    expect(enrichment.geo?.value).toMatchObject({ country: 'DE', timezone: 'Europe/Berlin' });
  });

  it('uses the lead description for industry when there is no website', async () => {
    const { enrichment } = await enrichLead(
      { companyName: 'Harbour Dental', description: 'Family dentist offering implants and orthodontics' },
      deps(),
    );
    expect(enrichment.industry?.value.industry).toBe('healthcare');
  });

  it('refuses a website that points at a private address, as an error of that step only', async () => {
    const { enrichment, errors } = await enrichLead(
      { website: 'http://intranet.acme.test/', email: 'x@acme.test' },
      deps({
        resolver: createStaticResolver({
          'intranet.acme.test': { a: ['10.0.0.8'] },
          'acme.test': { mx: [{ exchange: 'mx.acme.test', priority: 1 }] },
        }),
        rdap: false,
      }),
    );
    expect(errors).toEqual([expect.objectContaining({ step: 'website', code: 'ssrf_blocked', attempts: 1 })]);
    expect(enrichment.email?.value.valid).toBe(true);
  });
});
