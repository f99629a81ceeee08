import { closeSync, existsSync, fsyncSync, linkSync, mkdirSync, openSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';

/**
 * The data folder of the embedded default (DATA_DIR): the database, its lock, the generated keys
 * and certificate, the mail written as files. A folder the service cannot use stops the start with
 * one line — what failed, in which folder, what to do — and leaves the folder as it found it.
 */
export class DataDirError extends Error {}

/** What a file-system error says, and what the person starting the service can do about it. */
interface Cause {
  what: string;
  todo: string;
}

const causes: Record<string, Cause> = {
  ENOSPC: { what: 'the disk is full', todo: 'free space on its disk' },
  EDQUOT: { what: 'the disk quota is used up', todo: 'free space or raise the quota' },
  EROFS: { what: 'the file system is read-only', todo: 'mount it writable or set DATA_DIR to a writable folder' },
  EACCES: { what: 'permission denied', todo: "give the service's user write access or set DATA_DIR to another folder" },
  EPERM: { what: 'operation not permitted', todo: "give the service's user write access or set DATA_DIR to another folder" },
  ENOTDIR: { what: 'a part of the path is a file, not a folder', todo: 'set DATA_DIR to a folder' },
  EEXIST: { what: 'the path is a file, not a folder', todo: 'set DATA_DIR to a folder' },
  EIO: { what: 'the disk reported an input/output error', todo: 'check the disk' },
};

/**
 * PGlite's file system (Emscripten) reports its errors by Emscripten's own numbers, without a name;
 * these are the ones a data folder meets (ERRNO_CODES in PGlite's build).
 */
const emscriptenErrnoNames: Record<number, string> = { 51: 'ENOSPC', 19: 'EDQUOT', 69: 'EROFS', 2: 'EACCES', 63: 'EPERM', 54: 'ENOTDIR', 20: 'EEXIST', 29: 'EIO' };

/** The errno name of a file-system error from Node or from PGlite, if it has one. */
export function errnoName(error: unknown): string | undefined {
  const { code, errno, name } = (error ?? {}) as { code?: unknown; errno?: unknown; name?: unknown };
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
  if (name === 'ErrnoError' && typeof errno === 'number') return emscriptenErrnoNames[errno];
  return undefined;
}

/**
 * One line for a failure in the data folder: what was being done, where, why, and what to do.
 * A PostgreSQL error (PGlite's) that is not a file-system one is named by its message.
 */
export function dataDirFailure(doing: string, where: string, error: unknown): DataDirError {
  const name = errnoName(error) ?? (/No space left on device/i.test(String((error as Error)?.message)) ? 'ENOSPC' : undefined);
  const cause = name ? causes[name] : undefined;
  const why = cause ? `${cause.what} (${name})` : String((error as Error)?.message ?? error).split('\n')[0];
  const todo = cause?.todo ?? 'check the folder and its disk';
  return new DataDirError(`cannot ${doing} in ${where}: ${why}; ${todo}, then start again`);
}

/**
 * Makes the data folder if it is missing. Returns the first folder it created (so a start that
 * fails can remove what it made), or undefined when the folder was there.
 */
export function ensureDataDir(dir: string): string | undefined {
  try {
    return mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    // Node's recursive mkdir reports ENOENT where the file system refused (a read-only mount):
    // one plain mkdir asks the kernel again for the real reason.
    let reason = error;
    try {
      mkdirSync(dir, { mode: 0o700 });
    } catch (again) {
      if (errnoName(again) !== 'ENOENT') reason = again;
    }
    throw dataDirFailure('use the data folder', dir, reason);
  }
}

/**
 * Writes a file whole or not at all: into a temporary file beside it, flushed, then moved into
 * place. A full disk leaves the old file (or none), never a truncated one that a later start would
 * read as a key or certificate. With `exclusive`, an existing file is never replaced.
 */
export function writeFileWhole(file: string, content: string, options: { mode: number; exclusive?: boolean }): void {
  const partial = `${file}.${process.pid}.partial`;
  try {
    writeFileSync(partial, content, { mode: options.mode });
    const fd = openSync(partial, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (options.exclusive) {
      // link() fails when the name is taken, so a file another start made meanwhile is kept.
      linkSync(partial, file);
      unlinkSync(partial);
    } else {
      renameSync(partial, file);
    }
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
}

/** Removes what a failed start made, so the folder is as it was before; never anything it found there. */
export function removeMade(path: string | undefined): void {
  if (path && existsSync(path)) rmSync(path, { recursive: true, force: true });
}
