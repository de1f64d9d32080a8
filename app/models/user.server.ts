import argon2 from 'argon2';
import { eq, sql } from 'drizzle-orm';
import { schema, type Db, type Tx } from '../../db';

export type User = typeof schema.users.$inferSelect;
export type PublicUser = Pick<User, 'id' | 'email' | 'name'>;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** argon2id with the library's OWASP-aligned defaults (m=64 MiB, t=3, p=4). */
export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id });
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

// A hash to verify against when the email is unknown, so timing does not reveal which emails exist.
let dummyHash: Promise<string> | undefined;

export async function findUserByEmail(db: Db | Tx, email: string): Promise<User | null> {
  const rows = await db
    .select()
    .from(schema.users)
    .where(sql`lower(${schema.users.email}) = ${normalizeEmail(email)}`)
    .limit(1);
  return rows[0] ?? null;
}

export async function getUserById(db: Db | Tx, id: string): Promise<User | null> {
  const rows = await db.select().from(schema.users).where(eq(schema.users.id, id)).limit(1);
  return rows[0] ?? null;
}

export async function createUser(
  db: Db | Tx,
  input: { email: string; name?: string; password: string },
): Promise<User> {
  const [user] = await db
    .insert(schema.users)
    .values({ email: normalizeEmail(input.email), name: input.name ?? '', passwordHash: await hashPassword(input.password) })
    .returning();
  return user;
}

/** Returns the user when email and password match, else null (same work either way). */
export async function verifyLogin(db: Db, email: string, password: string): Promise<User | null> {
  const user = await findUserByEmail(db, email);
  if (!user) {
    dummyHash ??= hashPassword('not-a-real-password');
    await verifyPassword(await dummyHash, password);
    return null;
  }
  return (await verifyPassword(user.passwordHash, password)) ? user : null;
}
