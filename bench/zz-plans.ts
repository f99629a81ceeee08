import { sql } from 'kysely';
import { buildApp } from '../src/app.ts';
import { createBenchDatabase } from './support/bench-database.ts';
import { benchDeps } from './support/bench-deps.ts';
import { readyWorkers } from './support/logon-worker.ts';
const database = await createBenchDatabase(1);
const deps = benchDeps(database.db, database.url);
const app = await buildApp(deps, { logger: false });
try {
  const [w] = await readyWorkers(app, deps, 1);
  for (let i = 0; i < 60; i++) await w!.logon();
  const { rows } = await sql<{ name: string; generic_plans: number; custom_plans: number; statement: string }>`SELECT name, generic_plans, custom_plans, statement FROM pg_prepared_statements ORDER BY custom_plans DESC`.execute(deps.db);
  for (const r of rows) console.log(String(r.generic_plans).padStart(4), String(r.custom_plans).padStart(4), r.statement.replace(/\s+/g, ' ').slice(0, 110));
} finally { await app.close(); await database.drop(); }
