import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';

const secrets = {
  POSTGRES_PASSWORD: 'pg-secret',
  APP_DB_PASSWORD: 'app-secret-123',
  SESSION_SECRET: 's'.repeat(64),
  LEADFLOW_ENCRYPTION_KEY: 'k'.repeat(44),
  N8N_ENCRYPTION_KEY: 'n8n-key',
  N8N_JWT_SECRET: 'n8n-jwt',
};

function compose(env: Record<string, string>) {
  try {
    return { code: 0, out: execFileSync('docker-compose', ['config', '-q'], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env } as unknown as NodeJS.ProcessEnv, stdio: 'pipe' }).toString() };
  } catch (err) {
    const e = err as { status: number; stderr: Buffer };
    return { code: e.status, out: e.stderr.toString() };
  }
}

describe('docker-compose.yml (validated offline by Debian docker-compose)', () => {
  it('is a valid Compose file with every production service', () => {
    expect(fs.existsSync('/usr/bin/docker-compose'), 'apt-get install -y docker-compose').toBe(true);
    expect(compose(secrets)).toEqual({ code: 0, out: '' });
    const services = execFileSync('docker-compose', ['config', '--services'], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...secrets } as unknown as NodeJS.ProcessEnv })
      .toString()
      .trim()
      .split('\n')
      .sort();
    expect(services).toEqual(['app', 'n8n', 'n8n-worker', 'postgres', 'redis', 'worker']);
  });

  it('refuses to render without the required secrets, naming them', () => {
    const r = compose({});
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/set (POSTGRES_PASSWORD|APP_DB_PASSWORD|SESSION_SECRET|LEADFLOW_ENCRYPTION_KEY|N8N_ENCRYPTION_KEY|N8N_JWT_SECRET)/);
  });
});
