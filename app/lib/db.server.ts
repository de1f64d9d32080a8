import { createDatabase, type Database } from '../../db';
import { appDatabaseUrl } from './env.server';
import { logger } from './logger.server';

let instance: Database | undefined;
/** The application-role database (RLS applies). Created on first use. */
export function database(): Database {
  instance ??= createDatabase(appDatabaseUrl(), {
    max: 10,
    onError: (err) => logger().warn({ err }, 'idle database client error'),
  });
  return instance;
}
