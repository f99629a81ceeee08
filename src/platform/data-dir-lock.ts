import { readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataDirError, dataDirFailure } from './data-dir.ts';

/**
 * PGlite keeps its database in one folder that only one process may open. The lock file names the
 * process holding it, so a second process (the operator CLI while the service runs) is refused
 * with a clear message instead of corrupting the data.
 */
export class DataDirBusyError extends DataDirError {}

/** Errors of a write into a lock file this process had just created: the empty file is its own to remove. */
const failedAfterCreating = new Set(['ENOSPC', 'EDQUOT', 'EIO']);

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
      const code = (error as NodeJS.ErrnoException).code ?? '';
      if (code !== 'EEXIST') {
        // A full disk lets the file be made but not written: an empty lock left behind would be read as stale, but the folder must be as it was.
        if (failedAfterCreating.has(code)) rmSync(file, { force: true });
        throw dataDirFailure('lock the embedded database', dir, error);
      }
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
