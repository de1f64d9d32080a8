import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaticResolver, dnsError, type Resolver } from './dns.js';
import { forbiddenAddressReason, HttpError, safeFetch, SsrfError } from './http.js';
import { startLoopbackServer, type LoopbackServer } from './test-support.js';

const LOOPBACK = ['127.0.0.1/32'];

let server: LoopbackServer;
beforeAll(async () => {
  server = await startLoopbackServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    switch (url.pathname) {
      case '/hello':
        res.setHeader('content-type', 'text/html; charset=utf-8');
        res.end('<title>hi</title>');
        return;
      case '/to-loopback-ip':
        res.writeHead(302, { location: `http://127.0.0.1:${server.port}/secret` });
        res.end();
        return;
      case '/to-evil-name':
        res.writeHead(301, { location: `http://evil.test:${server.port}/secret` });
        res.end();
        return;
      case '/to-mapped':
        res.writeHead(307, { location: `http://[::ffff:127.0.0.1]:${server.port}/secret` });
        res.end();
        return;
      case '/to-metadata':
        res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
        res.end();
        return;
      case '/rebind':
        res.writeHead(302, { location: `http://rebind.test:${server.port}/secret` });
        res.end();
        return;
      case '/hop': {
        const n = Number(url.searchParams.get('n') ?? '0');
        res.writeHead(302, { location: n >= 3 ? '/hello' : `/hop?n=${n + 1}` });
        res.end();
        return;
      }
      case '/loop':
        res.writeHead(302, { location: '/loop' });
        res.end();
        return;
      case '/cross-origin':
        res.writeHead(302, { location: `http://other.test:${server.port}/echo-auth` });
        res.end();
        return;
      case '/echo-auth':
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ authorization: req.headers.authorization ?? null }));
        return;
      case '/post-303':
        res.writeHead(303, { location: '/echo-method' });
        res.end();
        return;
      case '/echo-method':
        res.setHeader('content-type', 'text/plain');
        res.end(req.method);
        return;
      case '/big-declared':
        res.writeHead(200, { 'content-type': 'text/html', 'content-length': String(2 * 1024 * 1024) });
        res.end(Buffer.alloc(2 * 1024 * 1024, 97));
        return;
      case '/big-chunked':
        res.writeHead(200, { 'content-type': 'text/html' });
        for (let i = 0; i < 40; i++) res.write(Buffer.alloc(64 * 1024, 98));
        res.end();
        return;
      case '/gzip-bomb':
        res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' });
        res.end(zlib.gzipSync(Buffer.alloc(8 * 1024 * 1024, 32)));
        return;
      case '/gzip-small':
        res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' });
        res.end(zlib.gzipSync('<p>compressed</p>'));
        return;
      case '/image':
        res.writeHead(200, { 'content-type': 'image/png' });
        res.end(Buffer.from([0x89, 0x50]));
        return;
      case '/hang':
        // Never answers; the client's time limit must end the request.
        return;
      case '/trickle':
        res.writeHead(200, { 'content-type': 'text/html' });
        res.write('<p>');
        return;
      case '/status-503':
        res.writeHead(503, { 'retry-after': '2', 'content-type': 'text/plain' });
        res.end('busy');
        return;
      default:
        res.writeHead(404);
        res.end();
    }
  });
});
afterAll(async () => {
  await server.close();
});

function requestsTo(path: string): number {
  return server.requests.filter((r) => r.url.startsWith(path)).length;
}

async function expectRefused(promise: Promise<unknown>): Promise<SsrfError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SsrfError);
  expect((error as SsrfError).retryable).toBe(false);
  return error as SsrfError;
}

describe('forbiddenAddressReason', () => {
  it.each([
    '127.0.0.1',
    '127.8.9.10',
    '10.0.0.1',
    '172.16.5.4',
    '192.168.1.1',
    '169.254.169.254',
    '100.100.100.200',
    '0.0.0.0',
    '255.255.255.255',
    '224.0.0.251',
    '192.0.2.1',
    '198.18.0.1',
    '::1',
    '::',
    'fe80::1',
    'fd00:ec2::254',
    'fc00::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    '::ffff:8.8.8.8',
    '64:ff9b::7f00:1',
    '2002:7f00:1::1',
    '2001:db8::1',
  ])('refuses %s', (address) => {
    expect(forbiddenAddressReason(address)).not.toBeNull();
  });
  it.each(['93.184.215.14', '8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '2a00:1450:4001:80b::200e'])(
    'permits public %s',
    (address) => {
      expect(forbiddenAddressReason(address)).toBeNull();
    },
  );
  it('permits an allow-listed range, only in its own family', () => {
    expect(forbiddenAddressReason('127.0.0.1', { allowCidrs: LOOPBACK })).toBeNull();
    expect(forbiddenAddressReason('127.0.0.2', { allowCidrs: LOOPBACK })).not.toBeNull();
    expect(forbiddenAddressReason('::ffff:127.0.0.1', { allowCidrs: LOOPBACK })).not.toBeNull();
  });
});

describe('safeFetch — SSRF refusals', () => {
  const resolver = createStaticResolver({
    'public.test': { a: ['127.0.0.1'] },
    'evil.test': { a: ['127.0.0.1'] },
    'other.test': { a: ['127.0.0.1'] },
    'internal.test': { a: ['10.1.2.3'] },
    'mixed.test': { a: ['93.184.215.14', '127.0.0.1'] },
    'v6-loopback.test': { aaaa: ['::1'] },
    'metadata.test': { a: ['169.254.169.254'] },
  });

  it('refuses loopback by IP, even on the server port that exists', async () => {
    await expectRefused(safeFetch(`${server.origin}/hello`, { resolver }));
    expect(requestsTo('/hello')).toBe(0);
  });
  it('refuses private, link-local/metadata and unspecified addresses without connecting', async () => {
    await expectRefused(safeFetch('http://10.0.0.1/', { resolver }));
    await expectRefused(safeFetch('http://169.254.169.254/latest/meta-data/', { resolver }));
    await expectRefused(safeFetch(`http://0.0.0.0:${server.port}/hello`, { resolver }));
    await expectRefused(safeFetch('http://[fd00:ec2::254]/', { resolver }));
  });
  it('refuses IPv6 loopback and IPv4-mapped IPv6, even with 127.0.0.1 allow-listed', async () => {
    await expectRefused(safeFetch(`http://[::1]:${server.port}/hello`, { resolver, allowCidrs: LOOPBACK }));
    await expectRefused(safeFetch(`http://[::ffff:127.0.0.1]:${server.port}/hello`, { resolver, allowCidrs: LOOPBACK }));
    await expectRefused(safeFetch(`http://[::ffff:7f00:1]:${server.port}/hello`, { resolver, allowCidrs: LOOPBACK }));
    expect(requestsTo('/hello')).toBe(0);
  });
  it('refuses numeric host spellings of loopback (decimal, hex, short)', async () => {
    await expectRefused(safeFetch(`http://2130706433:${server.port}/hello`, { resolver }));
    await expectRefused(safeFetch(`http://0x7f.1:${server.port}/hello`, { resolver }));
    await expectRefused(safeFetch(`http://127.1:${server.port}/hello`, { resolver }));
  });
  it('refuses host names that resolve to non-public addresses', async () => {
    await expectRefused(safeFetch('http://internal.test/', { resolver }));
    await expectRefused(safeFetch('http://v6-loopback.test/', { resolver }));
    await expectRefused(safeFetch('http://metadata.test/', { resolver }));
    await expectRefused(safeFetch('http://localhost/', { resolver }));
  });
  it('refuses a host when any one of its addresses is not public', async () => {
    await expectRefused(safeFetch(`http://mixed.test:${server.port}/hello`, { resolver }));
  });
  it('refuses other schemes and URLs with credentials', async () => {
    await expectRefused(safeFetch('file:///etc/passwd', { resolver }));
    await expectRefused(safeFetch('ftp://public.test/', { resolver }));
    await expectRefused(safeFetch(`http://user:pw@public.test:${server.port}/hello`, { resolver, allowHosts: ['public.test'] }));
  });

  describe('on every redirect hop', () => {
    // public.test is trusted by name for the first hop; where it redirects is not.
    const trusted = { resolver, allowHosts: ['public.test'] };
    it('follows a redirect between allowed hosts', async () => {
      const r = await safeFetch(`http://public.test:${server.port}/hop`, trusted);
      expect(r.status).toBe(200);
      expect(r.redirects).toHaveLength(4);
      expect(r.url).toBe(`http://public.test:${server.port}/hello`);
    });
    it('refuses a redirect to a loopback IP, and never requests it', async () => {
      const before = requestsTo('/secret');
      await expectRefused(safeFetch(`http://public.test:${server.port}/to-loopback-ip`, trusted));
      expect(requestsTo('/to-loopback-ip')).toBeGreaterThan(0);
      expect(requestsTo('/secret')).toBe(before);
    });
    it('refuses a redirect to a name that resolves to loopback', async () => {
      await expectRefused(safeFetch(`http://public.test:${server.port}/to-evil-name`, trusted));
      expect(requestsTo('/secret')).toBe(0);
    });
    it('refuses a redirect to IPv4-mapped loopback and to the metadata address', async () => {
      await expectRefused(safeFetch(`http://public.test:${server.port}/to-mapped`, { ...trusted, allowCidrs: LOOPBACK }));
      await expectRefused(safeFetch(`http://public.test:${server.port}/to-metadata`, trusted));
      expect(requestsTo('/secret')).toBe(0);
    });
  });

  it('re-resolves on a redirect: DNS rebinding between hops is refused', async () => {
    // rebind.test first answers with the (allow-listed) test server, then with a private address.
    let lookups = 0;
    const rebinding: Resolver = {
      resolveMx: (h) => Promise.reject(dnsError('ENODATA', h)),
      resolve4: () => {
        lookups++;
        return Promise.resolve(lookups === 1 ? ['127.0.0.1'] : ['10.0.0.7']);
      },
      resolve6: (h) => Promise.reject(dnsError('ENODATA', h)),
    };
    const error = await expectRefused(
      safeFetch(`http://rebind.test:${server.port}/rebind`, { resolver: rebinding, allowCidrs: LOOPBACK }),
    );
    expect(error.message).toContain('10.0.0.7');
    expect(lookups).toBe(2);
    expect(requestsTo('/secret')).toBe(0);
  });

  it('pins the connection to the address it checked (one lookup per hop)', async () => {
    // A second lookup would get a private address; the socket must not ask again.
    const calls: string[] = [];
    const pinning: Resolver = {
      resolveMx: (h) => Promise.reject(dnsError('ENODATA', h)),
      resolve4: (h) => {
        calls.push(`A ${h}`);
        return Promise.resolve(calls.length === 1 ? ['127.0.0.1'] : ['10.9.9.9']);
      },
      resolve6: (h) => {
        calls.push(`AAAA ${h}`);
        return Promise.reject(dnsError('ENODATA', h));
      },
    };
    const r = await safeFetch(`http://pin.test:${server.port}/hello`, { resolver: pinning, allowCidrs: LOOPBACK });
    expect(r.status).toBe(200);
    expect(r.address).toBe('127.0.0.1');
    expect(calls).toEqual(['A pin.test', 'AAAA pin.test']);
    expect(server.requests.at(-1)?.host).toBe(`pin.test:${server.port}`);
  });
});

describe('safeFetch — limits and protocol', () => {
  const resolver = createStaticResolver({ 'site.test': { a: ['127.0.0.1'] }, 'other.test': { a: ['127.0.0.1'] } });
  const opts = { resolver, allowCidrs: LOOPBACK };

  it('fetches an allow-listed loopback page', async () => {
    const r = await safeFetch(`http://site.test:${server.port}/hello`, opts);
    expect(r).toMatchObject({ status: 200, contentType: 'text/html', charset: 'utf-8', truncated: false });
    expect(r.body.toString()).toBe('<title>hi</title>');
  });
  it('refuses a body over the size limit, declared or streamed', async () => {
    await expect(safeFetch(`http://site.test:${server.port}/big-declared`, opts)).rejects.toMatchObject({
      code: 'too_large',
      retryable: false,
    });
    await expect(safeFetch(`http://site.test:${server.port}/big-chunked`, opts)).rejects.toMatchObject({ code: 'too_large' });
  });
  it('truncates instead when asked', async () => {
    const r = await safeFetch(`http://site.test:${server.port}/big-chunked`, { ...opts, maxBytes: 100_000, onLimit: 'truncate' });
    expect(r.truncated).toBe(true);
    expect(r.body.length).toBe(100_000);
  });
  it('limits the decoded size of a compressed body', async () => {
    await expect(safeFetch(`http://site.test:${server.port}/gzip-bomb`, opts)).rejects.toMatchObject({ code: 'too_large' });
    const r = await safeFetch(`http://site.test:${server.port}/gzip-small`, opts);
    expect(r.body.toString()).toBe('<p>compressed</p>');
  });
  it('times out on a server that never answers, or stalls mid-body', async () => {
    await expect(safeFetch(`http://site.test:${server.port}/hang`, { ...opts, timeoutMs: 300 })).rejects.toMatchObject({
      code: 'timeout',
      retryable: true,
    });
    await expect(safeFetch(`http://site.test:${server.port}/trickle`, { ...opts, timeoutMs: 300 })).rejects.toMatchObject({
      code: 'timeout',
    });
  });
  it('stops after five redirects', async () => {
    await expect(safeFetch(`http://site.test:${server.port}/loop`, opts)).rejects.toMatchObject({ code: 'too_many_redirects' });
    expect(requestsTo('/loop')).toBe(6);
  });
  it('checks the content type', async () => {
    await expect(
      safeFetch(`http://site.test:${server.port}/image`, { ...opts, acceptContentTypes: ['text/html'] }),
    ).rejects.toMatchObject({
      code: 'unsupported_content_type',
    });
  });
  it('drops credentials on a cross-origin redirect', async () => {
    const r = await safeFetch(`http://site.test:${server.port}/cross-origin`, {
      ...opts,
      headers: { Authorization: 'Bearer secret' },
    });
    expect(JSON.parse(r.body.toString())).toEqual({ authorization: null });
  });
  it('turns a POST into a GET on 303', async () => {
    const r = await safeFetch(`http://site.test:${server.port}/post-303`, { ...opts, method: 'POST', body: '{}' });
    expect(r.body.toString()).toBe('GET');
  });
  it('returns non-2xx answers with their status', async () => {
    const r = await safeFetch(`http://site.test:${server.port}/status-503`, opts);
    expect(r.status).toBe(503);
  });
  it('reports DNS failures as dns_failed, transient ones as retryable', async () => {
    await expect(safeFetch('http://missing.test/', opts)).rejects.toMatchObject({ code: 'dns_failed', retryable: false });
    const slow = createStaticResolver({ 'slow.test': { fail: 'ETIMEOUT' } });
    await expect(safeFetch('http://slow.test/', { resolver: slow })).rejects.toMatchObject({
      code: 'dns_failed',
      retryable: true,
    });
  });
  it('reports a refused connection as a retryable network error', async () => {
    const closed = await startLoopbackServer(() => undefined);
    const port = closed.port;
    await closed.close();
    const error = await safeFetch(`http://site.test:${port}/`, opts).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ code: 'network', retryable: true });
  });
});
