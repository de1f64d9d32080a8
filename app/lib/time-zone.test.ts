import { describe, expect, it } from 'vitest';
import { formatDateIn, formatDateTimeIn, parseTimeZone, timeZoneFromRequest } from './time-zone';

describe('viewer time zone', () => {
  it('accepts IANA zones and rejects anything else', () => {
    expect(parseTimeZone('Europe/Berlin')).toBe('Europe/Berlin');
    // Aliases come back in their canonical spelling.
    expect(parseTimeZone('America/Argentina/Buenos_Aires')).toMatch(/Buenos_Aires$/);
    expect(parseTimeZone('Mars/Olympus')).toBeNull();
    expect(parseTimeZone('<script>')).toBeNull();
    expect(parseTimeZone('')).toBeNull();
    expect(parseTimeZone(undefined)).toBeNull();
  });

  it('reads the zone from the cookie and falls back to UTC', () => {
    const req = (cookie?: string) => new Request('http://x/', { headers: cookie ? { Cookie: cookie } : {} });
    expect(timeZoneFromRequest(req('a=1; lf_tz=Asia%2FTokyo; b=2'))).toBe('Asia/Tokyo');
    expect(timeZoneFromRequest(req('lf_tz=Not%2FAZone'))).toBe('UTC');
    expect(timeZoneFromRequest(req('lf_tz=%E0%A4%A'))).toBe('UTC');
    expect(timeZoneFromRequest(req())).toBe('UTC');
  });

  it('formats in the zone, across a date line and DST', () => {
    const t = '2026-11-25T23:30:00Z';
    expect(formatDateTimeIn(t)).toBe('25 Nov 2026, 23:30 UTC');
    expect(formatDateTimeIn(t, 'Asia/Tokyo')).toBe('26 Nov 2026, 08:30');
    expect(formatDateIn(t, 'Asia/Tokyo')).toBe('26 Nov 2026');
    expect(formatDateIn(t, 'America/Los_Angeles')).toBe('25 Nov 2026');
    expect(formatDateTimeIn('2026-07-01T12:00:00Z', 'Europe/Berlin')).toBe('1 Jul 2026, 14:00');
    expect(formatDateTimeIn('2026-01-01T12:00:00Z', 'Europe/Berlin')).toBe('1 Jan 2026, 13:00');
    expect(formatDateTimeIn(null)).toBe('—');
    expect(formatDateTimeIn('not a date', 'Asia/Tokyo')).toBe('—');
  });
});
