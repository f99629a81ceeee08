import { buildApp } from '../../src/app.ts';
import type { Deps } from '../../src/deps.ts';
import { openTimedDatabase } from './timed-database.ts';

/**
 * `npm run bench:pages -- --profile`: each page once more, one request at a time, through an app
 * whose database hears every statement, so the statements (round trips) a page costs and their
 * time are listed — what to look at before and after a change to a page's queries.
 */
export async function profilePages(deps: Deps, databaseUrl: string, session: { cookie: string; paths: string[] }, log: (line: string) => void): Promise<void> {
  let heard: { sql: string; ms: number }[] = [];
  const db = openTimedDatabase(databaseUrl, 2, (sql, ms) => heard.push({ sql, ms }));
  const app = await buildApp({ ...deps, db }, { logger: false });
  try {
    log('');
    log('profile: statements per page (one request at a time, warm)');
    for (const path of session.paths) {
      const get = () => app.inject({ method: 'GET', url: path, headers: { cookie: session.cookie } });
      await get();
      heard = [];
      const started = performance.now();
      const response = await get();
      const ms = performance.now() - started;
      if (response.statusCode !== 200) throw new Error(`${path}: ${response.statusCode}`);
      const database = heard.reduce((sum, one) => sum + one.ms, 0);
      log(`${path}: ${heard.length} statements, ${database.toFixed(1)} ms of round trips in ${ms.toFixed(1)} ms, ${response.body.length} bytes`);
      for (const one of heard) log(`  ${one.ms.toFixed(2).padStart(6)} ms  ${one.sql.replace(/\s+/g, ' ').slice(0, 150)}`);
    }
  } finally {
    await app.close();
    await db.destroy();
  }
}
