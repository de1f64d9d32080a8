import { useRouteLoaderData } from '@remix-run/react';
import type { loader as rootLoader } from '~/root';
import { formatDateIn, formatDateTimeIn } from './time-zone';

/** Date formatting in the viewer's time zone (the root loader reads it from the client hint). */
export function useDates() {
  const timeZone = useRouteLoaderData<typeof rootLoader>('root')?.timeZone ?? 'UTC';
  return {
    timeZone,
    dateTime: (value: string | Date | null | undefined) => formatDateTimeIn(value, timeZone),
    date: (value: string | Date | null | undefined) => formatDateIn(value, timeZone),
  };
}
