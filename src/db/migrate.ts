import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { Db } from './open.ts';

const migrationsDir = fileURLToPath(new URL('../../migrations/', import.meta.url));

/** The migration files this code knows, in the order they apply. */
export async function knownMigrations(): Promise<string[]> {
  return (await readdir(migrationsDir)).filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f)).sort();
}

/**
 * Applies the plain SQL files of migrations/ in name order, each once, each in its own transaction.
 * An advisory lock keeps two processes starting at once from applying the same file twice.
 */
export async function migrate(db: Db): Promise<string[]> {
  const files = await knownMigrations();
  const applied: string[] = [];
  await db.transaction().execute(async (tx) => {
    await sql`SELECT pg_advisory_xact_lock(7203114)`.execute(tx);
    await sql`CREATE TABLE IF NOT EXISTS schema_migration (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`.execute(tx);
    const done = new Set(
      (await sql<{ name: string }>`SELECT name FROM schema_migration`.execute(tx)).rows.map((r) => r.name),
    );
    for (const file of files) {
      if (done.has(file)) continue;
      const text = await readFile(migrationsDir + file, 'utf8');
      await sql.raw(text).execute(tx);
      await sql`INSERT INTO schema_migration (name) VALUES (${file})`.execute(tx);
      applied.push(file);
    }
  });
  return applied;
}
