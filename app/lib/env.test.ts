import { describe, expect, it } from 'vitest';
import { appDatabaseUrl, ConfigError, parseEnv } from './env.server';

describe('configuration', () => {
  it('applies defaults for a bare development environment', () => {
    const env = parseEnv({});
    expect(env).toMatchObject({ NODE_ENV: 'development', PORT: 3000, HOST: '127.0.0.1', RUN_WORKER: true });
  });

  it('names every missing or bad setting', () => {
    let error: unknown;
    try {
      parseEnv({ NODE_ENV: 'production', PORT: 'eighty', DATABASE_URL: 'mysql://x' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/PORT/);
    expect(problems).toMatch(/DATABASE_URL: must be a postgres:\/\/ URL/);
    expect(problems).toMatch(/SESSION_SECRET: is required in production/);
    expect(problems).toMatch(/LEADFLOW_ENCRYPTION_KEY: is required in production/);
  });

  it('IMPORT_WRITERS: 2 by default, 1–8 accepted, anything else named', () => {
    expect(parseEnv({}).IMPORT_WRITERS).toBe(2);
    expect(parseEnv({ IMPORT_WRITERS: '4' }).IMPORT_WRITERS).toBe(4);
    for (const bad of ['0', '9', 'two', '1.5']) {
      expect(() => parseEnv({ IMPORT_WRITERS: bad })).toThrow(/IMPORT_WRITERS/);
    }
  });

  it('derives the application-role URL from the owner URL', () => {
    const env = parseEnv({ DATABASE_URL: 'postgres://owner:pw@db:5432/leadflow', APP_DB_PASSWORD: 'app-secret-1' });
    expect(appDatabaseUrl(env)).toBe('postgres://leadflow_app:app-secret-1@db:5432/leadflow');
  });
});
