import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { getPublicSuffix } from 'tldts';
import { hostOf, publicSuffix, registrableDomain, topLevelDomain } from './domain.js';
import { CONFORMANCE_DIR } from './test-support.js';

const PSL_DIR = path.join(CONFORMANCE_DIR, 'psl');

function pslVectors(): { input: string | null; expected: string | null }[] {
  const text = fs.readFileSync(path.join(PSL_DIR, 'test_psl.txt'), 'utf8');
  const vectors: { input: string | null; expected: string | null }[] = [];
  for (const line of text.split('\n')) {
    const m = /^checkPublicSuffix\((null|'[^']*'), (null|'[^']*')\);/.exec(line.trim());
    if (!m) continue;
    const value = (s: string) => (s === 'null' ? null : s.slice(1, -1));
    vectors.push({ input: value(m[1]!), expected: value(m[2]!) });
  }
  return vectors;
}

describe('registrableDomain — Public Suffix List vectors', () => {
  const vectors = pslVectors();
  it('reads all 78 official vectors', () => {
    expect(vectors).toHaveLength(78);
  });
  it.each(vectors.map((v) => [v.input, v.expected] as const))('checkPublicSuffix(%j) = %j', (input, expected) => {
    expect(registrableDomain(input)).toBe(expected);
  });
});

describe('the bundled list (tldts) against the conformance snapshot', () => {
  // The product uses tldts' bundled list; the snapshot in ../shared is another release.
  // Probe every snapshot rule and require near-total agreement: a few rules are added or
  // removed between releases, a systematic difference (e.g. a missing PRIVATE section) is not.
  it('agrees on at least 99.5% of the rules, ICANN and PRIVATE', () => {
    const text = fs.readFileSync(path.join(PSL_DIR, 'public_suffix_list.dat'), 'utf8');
    let rules = 0;
    let agree = 0;
    let privateRules = 0;
    let privateAgree = 0;
    let inPrivate = false;
    for (const raw of text.split('\n')) {
      const line = raw.trim();
      if (line.includes('===BEGIN PRIVATE DOMAINS===')) inPrivate = true;
      if (line === '' || line.startsWith('//')) continue;
      // A probe label that is no rule of its own (x.bg and x.se are real rules).
      const probe = 'zz-probe-label';
      let host: string;
      let expected: string;
      if (line.startsWith('!')) {
        host = `${probe}.${line.slice(1)}`;
        expected = line.slice(1).split('.').slice(1).join('.');
      } else if (line.startsWith('*.')) {
        host = `${probe}.${probe}.${line.slice(2)}`;
        expected = `${probe}.${line.slice(2)}`;
      } else {
        host = `${probe}.${line}`;
        expected = line;
      }
      const ok = getPublicSuffix(host, { allowPrivateDomains: true }) === expected;
      rules++;
      if (ok) agree++;
      if (inPrivate) {
        privateRules++;
        if (ok) privateAgree++;
      }
    }
    expect(rules).toBeGreaterThan(9000);
    expect(privateRules).toBeGreaterThan(1000);
    expect(agree / rules).toBeGreaterThan(0.995);
    expect(privateAgree / privateRules).toBeGreaterThan(0.99);
  });
});

describe('registrableDomain — inputs', () => {
  it.each([
    ['john.doe@Mail.Example.co.uk', 'example.co.uk'],
    ['"quoted@local"@sub.example.com', 'example.com'],
    ['https://user@www.example.com.au:8443/path?q=1#x', 'example.com.au'],
    ['HTTP://WWW.EXAMPLE.ORG', 'example.org'],
    ['www.example.com:8080/about', 'example.com'],
    ['mailto:sales@shop.example.de?subject=hi', 'example.de'],
    ['  example.com.  ', 'example.com'],
    ['alice.github.io', 'alice.github.io'],
    ['a.b.blogspot.com', 'b.blogspot.com'],
    ['Jane Doe <jane@sales.example.fr>', 'example.fr'],
    ['<https://www.example.nl/>', 'example.nl'],
  ])('%s → %s', (input, expected) => {
    expect(registrableDomain(input)).toBe(expected);
  });

  it.each([
    '',
    '   ',
    '127.0.0.1',
    'http://[::1]:8080/',
    '10.0.0.1',
    'co.uk',
    'a..example.com',
    '.example.com',
    'user@',
    'com',
    'https://',
    'exa mple.com',
    'exa"mple.com',
    'ex%61mple.com',
  ])('%j has none', (input) => {
    expect(registrableDomain(input)).toBeNull();
  });

  it('gives the host, suffix and top-level label', () => {
    expect(hostOf('https://Shop.Example.co.uk/x')).toBe('shop.example.co.uk');
    expect(publicSuffix('shop.example.co.uk')).toBe('co.uk');
    expect(topLevelDomain('shop.example.co.uk')).toBe('uk');
    expect(topLevelDomain('localhost')).toBeNull();
  });
});
