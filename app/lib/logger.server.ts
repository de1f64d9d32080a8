import pino from 'pino';
import { env } from './env.server';

let instance: pino.Logger | undefined;
/** The one logger (pino, JSON lines). */
export function logger(): pino.Logger {
  instance ??= pino({
    level: env().LOG_LEVEL,
    base: { service: 'leadflow' },
    redact: ['password', '*.password', 'req.headers.cookie', 'apiKey', '*.apiKey'],
  });
  return instance;
}
