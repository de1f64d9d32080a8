// Free-mail, disposable and role-account detection from maintained npm lists:
// - free mail: free-email-domains-typescript (HubSpot's "free email domains" list, the
//   usual B2B definition of a non-company mailbox);
// - disposable: mailchecker (56k+ throw-away providers, updated monthly);
// - role accounts: role-based-email-addresses (Mixmax), plus a few mailbox names RFC 2142
//   reserves that the list leaves out.
// Upgrading the packages updates the lists; nothing here is hand-maintained beyond RFC 2142.
import { freeEmailDomains } from 'free-email-domains-typescript';
import mailchecker from 'mailchecker';
import roleLocalParts from 'role-based-email-addresses';
import { registrableDomain } from './domain.js';

let freeSet: Set<string> | undefined;
const disposableSet: Set<string> = mailchecker.blacklist();

// RFC 2142 mailbox names, in case a list release drops one.
const RFC2142 = [
  'abuse',
  'hostmaster',
  'info',
  'marketing',
  'noc',
  'postmaster',
  'sales',
  'security',
  'support',
  'usenet',
  'uucp',
  'webmaster',
  'www',
];
const roleSet = new Set([...roleLocalParts, ...RFC2142].map((r) => r.toLowerCase()));

/**
 * The domain and its parents down to the registrable domain ("a.b.example.co.uk" →
 * a.b.example.co.uk, b.example.co.uk, example.co.uk). A list entry for a parent covers its
 * subdomains; a public suffix ("co.uk") is never matched.
 */
function candidates(domain: string): string[] {
  const d = domain.toLowerCase().replace(/\.$/, '');
  const base = registrableDomain(d);
  const out = [d];
  if (base === null) return out;
  let rest = d;
  while (rest !== base && rest.includes('.')) {
    rest = rest.slice(rest.indexOf('.') + 1);
    out.push(rest);
  }
  return out;
}

/** Free webmail provider (gmail.com, yahoo.co.uk, web.de…). */
export function isFreeMailDomain(domain: string): boolean {
  freeSet ??= new Set(freeEmailDomains.map((d) => d.toLowerCase()));
  return candidates(domain).some((d) => freeSet!.has(d));
}

/** Disposable / throw-away mailbox provider (mailinator.com, 10minutemail.com…). */
export function isDisposableDomain(domain: string): boolean {
  return candidates(domain).some((d) => disposableSet.has(d));
}

/**
 * A role account (info@, sales@, no-reply@…) rather than a person. Sub-addressing is
 * ignored ("sales+eu" is "sales"); separators are tried as written and removed
 * ("no_reply" matches "noreply").
 */
export function isRoleLocalPart(localPart: string): boolean {
  const base = localPart.toLowerCase().replace(/^"|"$/g, '').split('+')[0] ?? '';
  if (base === '') return false;
  return roleSet.has(base) || roleSet.has(base.replace(/[._-]/g, ''));
}
