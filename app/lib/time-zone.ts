/**
 * The viewer's time zone, as a client hint: a tiny script in the document head stores the
 * browser's IANA zone in the `lf_tz` cookie, and every later request renders dates in that zone on
 * the server — so the server's HTML and the browser's hydration agree (no "flash" of UTC, no
 * mismatch). Until the cookie exists (the very first page, usually the login form) dates are UTC
 * and say so. Shared by server and browser code.
 */
export const TIME_ZONE_COOKIE = 'lf_tz';

/** A valid IANA time zone name from untrusted input, or null. */
export function parseTimeZone(value: string | null | undefined): string | null {
  if (!value || value.length > 64 || !/^[A-Za-z0-9_+\-/]+$/.test(value)) return null;
  try {
    return new Intl.DateTimeFormat('en-GB', { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

export function timeZoneFromRequest(request: Request): string {
  const cookies = request.headers.get('Cookie') ?? '';
  const match = cookies.match(new RegExp(`(?:^|;\\s*)${TIME_ZONE_COOKIE}=([^;]*)`));
  let raw: string | null = null;
  try {
    raw = match ? decodeURIComponent(match[1]) : null;
  } catch {
    raw = null;
  }
  return parseTimeZone(raw) ?? 'UTC';
}

/** Runs before the page renders; sets or refreshes the cookie (no reload — the next request uses it). */
export const timeZoneHintScript = `(function(){try{var tz=Intl.DateTimeFormat().resolvedOptions().timeZone;var m=document.cookie.match(/(?:^|;\\s*)${TIME_ZONE_COOKIE}=([^;]*)/);if(tz&&(!m||decodeURIComponent(m[1])!==tz)){document.cookie='${TIME_ZONE_COOKIE}='+encodeURIComponent(tz)+'; Path=/; Max-Age=31536000; SameSite=Lax'}}catch(e){}})();`;

const formats = new Map<string, Intl.DateTimeFormat>();
function format(timeZone: string, kind: 'datetime' | 'date'): Intl.DateTimeFormat {
  const key = `${kind}|${timeZone}`;
  let f = formats.get(key);
  if (!f) {
    // A fixed locale keeps server and browser output identical.
    f =
      kind === 'datetime'
        ? new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone })
        : new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone });
    formats.set(key, f);
  }
  return f;
}

function toDate(value: string | Date | null | undefined): Date | null {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** "25 Nov 2026, 14:05" in the zone ("… UTC" when the zone is UTC); '—' for nothing. */
export function formatDateTimeIn(value: string | Date | null | undefined, timeZone = 'UTC'): string {
  const d = toDate(value);
  if (!d) return '—';
  const text = format(timeZone, 'datetime').format(d);
  return timeZone === 'UTC' ? `${text} UTC` : text;
}

/** "25 Nov 2026" in the zone; '—' for nothing. */
export function formatDateIn(value: string | Date | null | undefined, timeZone = 'UTC'): string {
  const d = toDate(value);
  return d ? format(timeZone, 'date').format(d) : '—';
}
