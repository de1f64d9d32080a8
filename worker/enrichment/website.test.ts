import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaticResolver } from './dns.js';
import { canonicalLanguage, decodeHtml, fetchWebsite, parseHomePage } from './website.js';
import { guessSocialProfiles, parseSocialUrl } from './social.js';
import { startLoopbackServer, type LoopbackServer } from './test-support.js';

const HOME = `<!doctype html>
<html lang="en_GB">
<head>
  <meta charset="utf-8">
  <title>  Acme Robotics &amp; Automation — Industrial robots  </title>
  <meta name="description" content="We design and build industrial robots for factory automation.">
  <meta property="og:title" content="Acme Robotics">
  <meta property="og:type" content="website">
  <meta property="og:image" content="https://acme.test/og.png">
  <meta property="og:locale" content="en_GB">
  <link rel="canonical" href="/">
  <script type="application/ld+json">
    {"@context":"https://schema.org","@type":"Organization","name":"Acme Robotics",
     "sameAs":["https://www.youtube.com/@acmerobotics","https://github.com/acme-robotics"],
     "email":"mailto:hello@acme.test","telephone":"+44 20 7946 0018",
     "address":{"@type":"PostalAddress","addressCountry":"GB"}}
  </script>
  <script>var tracking = "ignore@me.test";</script>
  <style>.x{}</style>
</head>
<body>
  <h1>Robots that build</h1>
  <p>Precision automation systems for manufacturers. Write to sales@acme.test.</p>
  <a href="https://www.linkedin.com/company/acme-robotics/">LinkedIn</a>
  <a href="https://twitter.com/AcmeRobotics?ref=site">Twitter</a>
  <a href="https://twitter.com/intent/tweet?text=hi">Share</a>
  <a href="https://www.facebook.com/sharer/sharer.php?u=x">Share on Facebook</a>
  <a href="https://facebook.com/acmerobotics">Facebook</a>
  <a href="https://www.instagram.com/acme.robotics/">Instagram</a>
  <a href="https://www.instagram.com/p/Cxyz/">A post</a>
  <a href="mailto:Info@Acme.test?subject=Hello">Email us</a>
  <a href="tel:+44-20-7946-0000">Call</a>
  <a href="/contact-us">Get in touch</a>
  <a href="/kontakt">Kontakt</a>
  <a href="/pricing">Pricing</a>
  <a href="https://elsewhere.test/contact">Partner contact</a>
</body>
</html>`;

describe('parseHomePage', () => {
  const page = parseHomePage(HOME, 'https://acme.test/');
  it('reads title, description, Open Graph, language and canonical URL', () => {
    expect(page.title).toBe('Acme Robotics & Automation — Industrial robots');
    expect(page.description).toBe('We design and build industrial robots for factory automation.');
    expect(page.openGraph).toEqual({
      title: 'Acme Robotics',
      type: 'website',
      image: 'https://acme.test/og.png',
      locale: 'en_GB',
    });
    expect(page.language).toBe('en-GB');
    expect(page.canonicalUrl).toBe('https://acme.test/');
  });
  it('finds social profiles and ignores share links and posts', () => {
    expect(page.socialProfiles.map((p) => `${p.network}:${p.handle}:${p.source}`)).toEqual([
      'facebook:acmerobotics:link',
      'github:acme-robotics:json-ld',
      'instagram:acme.robotics:link',
      'linkedin:acme-robotics:link',
      'twitter:AcmeRobotics:link',
      'youtube:@acmerobotics:json-ld',
    ]);
    expect(page.socialProfiles.find((p) => p.network === 'twitter')?.url).toBe('https://x.com/AcmeRobotics');
  });
  it('collects contact hints from links, structured data and text, not from scripts', () => {
    expect(page.contacts.emails.sort()).toEqual(['hello@acme.test', 'info@acme.test', 'sales@acme.test']);
    expect(page.contacts.phones.sort()).toEqual(['+442079460000', '+442079460018']);
    expect(page.contacts.contactPages).toEqual(['https://acme.test/contact-us', 'https://acme.test/kontakt']);
    expect(page.contacts.countries).toEqual(['GB']);
  });
  it('keeps a text sample for the classifier without script or style content', () => {
    expect(page.textSample).toContain('Robots that build');
    expect(page.textSample).toContain('Precision automation systems');
    expect(page.textSample).not.toContain('tracking');
  });
  it('copes with broken markup and missing metadata', () => {
    const p = parseHomePage('<title>Only <b>title</title><p>unclosed <a href="https://x.com/home">x', 'http://broken.test/');
    expect(p).toMatchObject({ title: 'Only <b>title', description: null, language: null, socialProfiles: [] });
  });
});

describe('helpers', () => {
  it('canonicalises language tags', () => {
    expect(canonicalLanguage('EN-us')).toBe('en-US');
    expect(canonicalLanguage('de_DE')).toBe('de-DE');
    expect(canonicalLanguage('not a tag!')).toBeNull();
    expect(canonicalLanguage('')).toBeNull();
  });
  it('decodes by header charset, then meta charset, then UTF-8', () => {
    const latin1 = Buffer.from('<meta charset="iso-8859-1"><p>caf\xe9</p>', 'latin1');
    expect(decodeHtml(latin1, null)).toContain('café');
    expect(decodeHtml(Buffer.from('<p>café</p>'), 'utf-8')).toContain('café');
    expect(decodeHtml(Buffer.from('<p>café</p>'), 'no-such-charset')).toContain('café');
  });
  it('parses social URLs into canonical profiles', () => {
    expect(parseSocialUrl('https://x.com/acme')).toMatchObject({ network: 'twitter', handle: 'acme' });
    expect(parseSocialUrl('https://www.youtube.com/watch?v=1')).toBeNull();
    expect(parseSocialUrl('https://github.com/acme/repo')).toMatchObject({
      network: 'github',
      handle: 'acme',
      url: 'https://github.com/acme',
    });
    expect(parseSocialUrl('https://www.linkedin.com/in/jane-doe-123/')).toMatchObject({
      network: 'linkedin',
      kind: 'person',
      handle: 'jane-doe-123',
    });
    expect(parseSocialUrl('https://www.facebook.com/profile.php?id=1000123')).toMatchObject({ handle: '1000123' });
    expect(parseSocialUrl('javascript:alert(1)')).toBeNull();
  });
  it('guesses low-confidence profiles from the domain for networks the site lacks', () => {
    const guesses = guessSocialProfiles('www.acme-robotics.co.uk', [
      { network: 'linkedin', handle: 'acme', url: '', source: 'link', confidence: 0.9 },
    ]);
    expect(guesses.map((g) => g.network)).toEqual(['twitter', 'facebook', 'instagram', 'github', 'youtube']);
    expect(guesses.every((g) => g.source === 'pattern' && g.confidence < 0.5)).toBe(true);
    expect(guesses[0]!.url).toBe('https://x.com/acmerobotics');
  });
});

describe('fetchWebsite against a loopback server', () => {
  let server: LoopbackServer;
  const resolver = createStaticResolver({ 'acme.test': { a: ['127.0.0.1'] }, 'www.acme.test': { a: ['127.0.0.1'] } });
  beforeAll(async () => {
    server = await startLoopbackServer((req, res) => {
      if (req.headers.host?.startsWith('acme.test')) {
        res.writeHead(301, { location: `http://www.acme.test:${server.port}/` });
        res.end();
        return;
      }
      if (req.url === '/') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(HOME);
        return;
      }
      if (req.url === '/huge') {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.write('<html><head><title>Huge</title><meta name="description" content="Big page"></head><body>');
        res.end('<p>filler</p>'.repeat(200_000));
        return;
      }
      if (req.url === '/pdf') {
        res.writeHead(200, { 'content-type': 'application/pdf' });
        res.end('%PDF');
        return;
      }
      res.writeHead(500);
      res.end();
    });
  });
  afterAll(async () => {
    await server.close();
  });

  it('follows the redirect to www and parses the page', async () => {
    const site = await fetchWebsite(`http://acme.test:${server.port}`, { resolver, allowCidrs: ['127.0.0.1/32'] });
    expect(site).toMatchObject({
      url: `http://www.acme.test:${server.port}/`,
      status: 200,
      title: 'Acme Robotics & Automation — Industrial robots',
      language: 'en-GB',
    });
    expect(site.redirects).toEqual([`http://www.acme.test:${server.port}/`]);
  });
  it('reads the head of a page larger than the limit', async () => {
    const site = await fetchWebsite(`http://www.acme.test:${server.port}/huge`, {
      resolver,
      allowCidrs: ['127.0.0.1/32'],
      maxBytes: 64 * 1024,
    });
    expect(site).toMatchObject({ title: 'Huge', description: 'Big page', truncated: true });
  });
  it('refuses a non-HTML answer and a 5xx', async () => {
    await expect(
      fetchWebsite(`http://www.acme.test:${server.port}/pdf`, { resolver, allowCidrs: ['127.0.0.1/32'] }),
    ).rejects.toMatchObject({ code: 'unsupported_content_type' });
    await expect(
      fetchWebsite(`http://www.acme.test:${server.port}/fail`, { resolver, allowCidrs: ['127.0.0.1/32'] }),
    ).rejects.toMatchObject({ code: 'http_status', retryable: true });
  });
  it('refuses the loopback site without the test allow-list', async () => {
    await expect(fetchWebsite(`http://acme.test:${server.port}`, { resolver })).rejects.toMatchObject({ code: 'ssrf_blocked' });
  });
});
