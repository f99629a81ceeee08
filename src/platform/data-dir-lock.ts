import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * PGlite keeps its database in one folder that only one process may open. The lock file names the
 * process holding it, so a second process (the operator CLI while the service runs) is refused
 * with a clear message instead of corrupting the data.
 */
export class DataDirBusyError extends Error {}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function lockDataDir(dir: string, holder: string): () => void {
  const file = join(dir, 'embedded-db.lock');
  for (let tries = 0; tries < 2; tries++) {
    try {
      writeFileSync(file, JSON.stringify({ pid: process.pid, holder }), { flag: 'wx', mode: 0o600 });
      return () => {
        try {
          unlinkSync(file);
        } catch {
          // already gone: nothing to release
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      let owner: { pid?: number; holder?: string } = {};
      try {
        owner = JSON.parse(readFileSync(file, 'utf8'));
      } catch {
        // unreadable lock: treated as stale
      }
      if (owner.pid && owner.pid !== process.pid && alive(owner.pid)) {
        throw new DataDirBusyError(
          `the embedded database in ${dir} is in use by ${owner.holder ?? 'another process'} (pid ${owner.pid}); stop it first, or run with DATABASE_URL on PostgreSQL`,
        );
      }
      unlinkSync(file);
    }
  }
  throw new DataDirBusyError(`could not lock ${file}`);
}
