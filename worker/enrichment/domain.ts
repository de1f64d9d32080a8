// Registrable domain (eTLD+1) by the Public Suffix List, ICANN and PRIVATE sections.
// The list is the one bundled with tldts (no file read, no network at run time); the
// conformance test checks it against the official vectors and compares it with the list
// snapshot in ../shared/conformance to see how far the two have drifted.
import { getDomain, getPublicSuffix } from 'tldts';
import { isIP } from 'node:net';

const PSL_OPTIONS = { allowPrivateDomains: true, extractHostname: false } as const;

/**
 * Extract the host from an email address, URL or bare host name.
 * Returns the lower-cased host without trailing root dot, or null when none can be found.
 */
export function hostOf(input: string): string | null {
  let s = input.trim();
  if (s === '') return null;
  // "Jane Doe <jane@example.com>" or "<https://example.com>"
  const angled = /<([^<>]+)>/.exec(s);
  if (angled) s = angled[1]!.trim();
  if (/^mailto:/i.test(s)) s = s.slice('mailto:'.length).split('?')[0] ?? '';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) {
    try {
      s = new URL(s).hostname;
    } catch {
      return null;
    }
  } else if (s.includes('@')) {
    // An email address: the domain is after the LAST @ (quoted local parts may contain @).
    s = s.slice(s.lastIndexOf('@') + 1);
  } else {
    // Bare host, perhaps with a port or a path ("www.example.com:8080/about").
    s = s.replace(/[/?#].*$/s, '');
    if (!s.startsWith('[')) s = s.replace(/:\d*$/, '');
  }
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  s = s.toLowerCase();
  // One trailing dot is the DNS root ("example.com." is "example.com"); anything else
  // that leaves an empty label (leading dot, "a..b") is not a host name.
  if (s.endsWith('.') && !s.endsWith('..')) s = s.slice(0, -1);
  if (s === '' || s.split('.').some((label) => label === '')) return null;
  // Letters, marks, digits, dot, hyphen; underscore occurs in real DNS names (_dmarc, SRV).
  if (!/^[\p{L}\p{M}\p{N}._-]+$/u.test(s) && !/^[0-9a-f:.]+$/i.test(s)) return null;
  return s;
}

/**
 * The registrable domain (public suffix + one label) of an email address, URL or host,
 * e.g. "a.b.example.co.uk" → "example.co.uk". IP addresses, bare public suffixes and
 * malformed hosts give null. Unicode input gives Unicode output, punycode gives punycode.
 */
export function registrableDomain(input: string | null | undefined): string | null {
  if (input == null) return null;
  const host = hostOf(input);
  if (host === null || isIP(host) !== 0) return null;
  return getDomain(host, PSL_OPTIONS);
}

/** The public suffix of a host ("co.uk" for "a.example.co.uk"), or null. */
export function publicSuffix(input: string | null | undefined): string | null {
  if (input == null) return null;
  const host = hostOf(input);
  if (host === null || isIP(host) !== 0) return null;
  return getPublicSuffix(host, PSL_OPTIONS);
}

/** The top-level label of a host ("uk" for "a.example.co.uk"), or null. */
export function topLevelDomain(input: string | null | undefined): string | null {
  if (input == null) return null;
  const host = hostOf(input);
  if (host === null || isIP(host) !== 0) return null;
  const labels = host.split('.');
  return labels.length > 1 ? (labels[labels.length - 1] ?? null) : null;
}
