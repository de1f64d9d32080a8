// Social profile URLs: recognise a profile among a page's links (share buttons, posts and
// help pages are not profiles), put it in one canonical form, and guess candidate handles
// from a domain when the site links none.
import { registrableDomain } from './domain.js';

export type SocialNetwork = 'linkedin' | 'twitter' | 'facebook' | 'instagram' | 'github' | 'youtube';

export interface SocialProfile {
  network: SocialNetwork;
  handle: string;
  url: string;
  /** linkedin: company / person / school / showcase; youtube: handle / channel / user / c. */
  kind?: string;
  source: 'link' | 'json-ld' | 'pattern';
  /** 0..1; a pattern guess is unverified and low. */
  confidence: number;
}

// Reserved first path segments that are site features, not accounts.
const TWITTER_RESERVED = new Set([
  'intent',
  'share',
  'home',
  'hashtag',
  'search',
  'i',
  'explore',
  'login',
  'signup',
  'settings',
  'messages',
  'notifications',
  'tos',
  'privacy',
  'compose',
  'widgets',
  'about',
]);
const FACEBOOK_RESERVED = new Set([
  'sharer',
  'sharer.php',
  'share.php',
  'share',
  'dialog',
  'plugins',
  'tr',
  'login',
  'login.php',
  'help',
  'policies',
  'privacy',
  'watch',
  'events',
  'groups',
  'hashtag',
  'photo.php',
  'photo',
  'story.php',
  'permalink.php',
  'l.php',
  'business',
  'ads',
  'marketplace',
  'gaming',
  'legal',
  'about',
]);
const INSTAGRAM_RESERVED = new Set([
  'p',
  'reel',
  'reels',
  'explore',
  'accounts',
  'stories',
  'tv',
  'about',
  'legal',
  'developer',
  'direct',
]);
const GITHUB_RESERVED = new Set([
  'features',
  'about',
  'pricing',
  'login',
  'join',
  'signup',
  'marketplace',
  'explore',
  'topics',
  'trending',
  'collections',
  'sponsors',
  'site',
  'security',
  'enterprise',
  'team',
  'customer-stories',
  'readme',
  'settings',
  'orgs',
  'apps',
  'contact',
  'issues',
  'pulls',
  'notifications',
  'new',
  'search',
]);
const YOUTUBE_RESERVED = new Set([
  'watch',
  'embed',
  'playlist',
  'results',
  'feed',
  'shorts',
  'live',
  'redirect',
  't',
  'about',
  'howyoutubeworks',
  'premium',
  'account',
  'signin',
]);

function hostIs(host: string, domain: string): boolean {
  return host === domain || host.endsWith(`.${domain}`);
}

/** Recognise a social profile URL and return it in canonical form, or null. */
export function parseSocialUrl(raw: string, source: SocialProfile['source'] = 'link'): SocialProfile | null {
  let url: URL;
  try {
    url = new URL(raw.trim().startsWith('//') ? `https:${raw.trim()}` : raw.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  const host = url.hostname.toLowerCase();
  const segments = url.pathname
    .split('/')
    .filter((s) => s !== '')
    .map((s) => decodeURIComponentSafe(s));
  const first = segments[0]?.toLowerCase() ?? '';
  const confidence = source === 'pattern' ? 0.2 : 0.9;
  const make = (network: SocialNetwork, handle: string, canonical: string, kind?: string): SocialProfile => ({
    network,
    handle,
    url: canonical,
    ...(kind ? { kind } : {}),
    source,
    confidence,
  });

  if (hostIs(host, 'linkedin.com')) {
    const kinds: Record<string, string> = { company: 'company', in: 'person', school: 'school', showcase: 'showcase' };
    const kind = kinds[first];
    const slug = segments[1];
    if (!kind || !slug || !/^[\p{L}\p{N}_.&%-]{1,100}$/u.test(slug)) return null;
    return make('linkedin', slug, `https://www.linkedin.com/${first}/${encodeURIComponent(slug)}`, kind);
  }
  if (hostIs(host, 'twitter.com') || host === 'x.com' || host === 'www.x.com' || host === 'mobile.x.com') {
    const handle = segments[0] ?? '';
    if (!/^[A-Za-z0-9_]{1,15}$/.test(handle) || TWITTER_RESERVED.has(handle.toLowerCase())) return null;
    return make('twitter', handle, `https://x.com/${handle}`);
  }
  if (hostIs(host, 'facebook.com') || hostIs(host, 'fb.com')) {
    if (first === 'profile.php') {
      const id = url.searchParams.get('id');
      return id && /^\d+$/.test(id) ? make('facebook', id, `https://www.facebook.com/profile.php?id=${id}`) : null;
    }
    if (first === 'pages' && segments.length >= 2) {
      const tail = segments.slice(1).join('/');
      return make('facebook', segments[segments.length - 1]!, `https://www.facebook.com/pages/${tail}`);
    }
    const handle = segments[0] ?? '';
    if (!/^[A-Za-z0-9.-]{2,80}$/.test(handle) || FACEBOOK_RESERVED.has(first)) return null;
    return make('facebook', handle, `https://www.facebook.com/${handle}`);
  }
  if (hostIs(host, 'instagram.com')) {
    const handle = segments[0] ?? '';
    if (!/^[A-Za-z0-9_.]{1,30}$/.test(handle) || INSTAGRAM_RESERVED.has(first)) return null;
    return make('instagram', handle, `https://www.instagram.com/${handle}`);
  }
  if (host === 'github.com' || host === 'www.github.com') {
    const handle = segments[0] ?? '';
    if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/.test(handle) || GITHUB_RESERVED.has(first)) return null;
    return make('github', handle, `https://github.com/${handle}`);
  }
  if (hostIs(host, 'youtube.com')) {
    if (first.startsWith('@') && first.length > 1)
      return make('youtube', segments[0]!, `https://www.youtube.com/${segments[0]!}`, 'handle');
    if ((first === 'channel' || first === 'user' || first === 'c') && segments[1]) {
      return make(
        'youtube',
        segments[1],
        `https://www.youtube.com/${first}/${segments[1]}`,
        first === 'channel' ? 'channel' : first,
      );
    }
    if (segments.length === 1 && !YOUTUBE_RESERVED.has(first) && /^[A-Za-z0-9_-]{2,100}$/.test(first)) {
      return make('youtube', segments[0]!, `https://www.youtube.com/${segments[0]!}`, 'c');
    }
    return null;
  }
  return null;
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * Merge profiles: one per network+handle (case-insensitive), the most trusted source kept,
 * ordered by network then confidence.
 */
export function mergeProfiles(profiles: Iterable<SocialProfile>): SocialProfile[] {
  const byKey = new Map<string, SocialProfile>();
  for (const p of profiles) {
    const key = `${p.network}:${p.kind ?? ''}:${p.handle.toLowerCase()}`;
    const existing = byKey.get(key);
    if (!existing || p.confidence > existing.confidence) byKey.set(key, p);
  }
  return [...byKey.values()].sort((a, b) => a.network.localeCompare(b.network) || b.confidence - a.confidence);
}

/**
 * Unverified guesses from the domain's name ("acme-robotics.com" → linkedin.com/company/
 * acme-robotics, x.com/acmerobotics…), for networks the site does not link. Confidence 0.2:
 * they tell a person where to look, not a fact.
 */
export function guessSocialProfiles(domain: string, known: readonly SocialProfile[] = []): SocialProfile[] {
  const base = registrableDomain(domain);
  if (!base) return [];
  const label = base.split('.')[0]!;
  if (!/^[a-z0-9-]+$/.test(label)) return [];
  const compact = label.replace(/-/g, '');
  const have = new Set(known.map((p) => p.network));
  const guesses: string[] = [
    `https://www.linkedin.com/company/${label}`,
    `https://x.com/${compact.slice(0, 15)}`,
    `https://www.facebook.com/${compact}`,
    `https://www.instagram.com/${compact.slice(0, 30)}`,
    `https://github.com/${label}`,
    `https://www.youtube.com/@${compact}`,
  ];
  return guesses.flatMap((u) => {
    const p = parseSocialUrl(u, 'pattern');
    return p && !have.has(p.network) ? [p] : [];
  });
}
