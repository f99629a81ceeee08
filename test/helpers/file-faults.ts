import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { resolve, sep } from 'node:path';

/**
 * A file system that fails under one folder, as a full disk or a read-only mount fails, for the tests
 * of the embedded data folder. The tests run as root, where permissions stop no write, and mounting a
 * small or read-only file system needs privileges a test machine may not give; so the failure is put
 * where the service meets the file system: node:fs, which the service's own code and PGlite's
 * (Emscripten's NODEFS) both call. The errors are the ones the kernel gives, with their codes.
 *
 * - `read-only`: every call that would change something under the folder fails with EROFS.
 * - `full`: writes of file content under the folder fail with ENOSPC once `bytesLeft` are used,
 *   as on a disk with that much space left (making an empty file or a folder still works there).
 */
export type FileFault = { kind: 'read-only' } | { kind: 'full'; bytesLeft: number };

export interface FaultyFolder {
  /** How many calls failed. */
  readonly failures: number;
  /** Puts node:fs back as it was. */
  restore(): void;
}

const changing = ['mkdirSync', 'rmdirSync', 'rmSync', 'unlinkSync', 'renameSync', 'linkSync', 'symlinkSync', 'truncateSync', 'utimesSync', 'chmodSync', 'copyFileSync', 'appendFileSync'] as const;
const writeFlags = /[wa+]/;
/** O_WRONLY, O_RDWR, O_CREAT, O_TRUNC, O_APPEND: what PGlite's numeric open flags ask for when they would change the file. */
const writeBits = fs.constants.O_WRONLY | fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_TRUNC | fs.constants.O_APPEND;
const opensForWriting = (flags: unknown) => (typeof flags === 'number' ? (flags & writeBits) !== 0 : writeFlags.test(String(flags ?? 'r')));

function errnoError(code: 'EROFS' | 'ENOSPC', syscall: string, path: string): NodeJS.ErrnoException {
  const text = code === 'EROFS' ? 'read-only file system' : 'no space left on device';
  return Object.assign(new Error(`${code}: ${text}, ${syscall} '${path}'`), { code, syscall, path, errno: code === 'EROFS' ? -30 : -28 });
}

export function failUnder(folder: string, fault: FileFault): FaultyFolder {
  const root = resolve(folder);
  const under = (path: unknown) => {
    if (typeof path !== 'string' && !(path instanceof URL) && !Buffer.isBuffer(path)) return false;
    const full = resolve(path instanceof URL ? path.pathname : String(path));
    return full === root || full.startsWith(root + sep);
  };
  const original = new Map<string, unknown>();
  const target = fs as unknown as Record<string, (...args: unknown[]) => unknown>;
  const replace = (name: string, make: (real: (...args: unknown[]) => unknown) => (...args: unknown[]) => unknown) => {
    const real = target[name]!;
    original.set(name, real);
    target[name] = make(real.bind(fs));
  };
  const readlink = fs.readlinkSync.bind(fs);
  const pathOfFd = (fd: unknown) => {
    try {
      return readlink(`/proc/self/fd/${String(fd)}`);
    } catch {
      return '';
    }
  };
  const state = { failures: 0, bytesLeft: fault.kind === 'full' ? fault.bytesLeft : 0 };
  const fail = (code: 'EROFS' | 'ENOSPC', syscall: string, path: string): never => {
    state.failures++;
    throw errnoError(code, syscall, path);
  };
  const spend = (bytes: number, syscall: string, path: string) => {
    if (bytes > state.bytesLeft) fail('ENOSPC', syscall, path);
    state.bytesLeft -= bytes;
  };

  if (fault.kind === 'read-only') {
    // Making a folder that is there already succeeds on a read-only mount too (the kernel finds it first).
    const exists = fs.existsSync.bind(fs);
    replace('mkdirSync', (real) => (...args) => (under(args[0]) && !exists(args[0] as string) ? fail('EROFS', 'mkdir', String(args[0])) : real(...args)));
    for (const name of changing.filter((n) => n !== 'mkdirSync')) {
      replace(name, (real) => (...args) => (under(args[0]) || under(args[1]) ? fail('EROFS', name.replace(/Sync$/, ''), String(args[0])) : real(...args)));
    }
    replace('openSync', (real) => (...args) => (under(args[0]) && opensForWriting(args[1]) ? fail('EROFS', 'open', String(args[0])) : real(...args)));
    replace('writeFileSync', (real) => (...args) => (under(args[0]) ? fail('EROFS', 'open', String(args[0])) : real(...args)));
    replace('writeSync', (real) => (...args) => (under(pathOfFd(args[0])) ? fail('EROFS', 'write', pathOfFd(args[0])) : real(...args)));
  } else {
    // Only what makes a file longer takes space: PostgreSQL writes WAL into segments it filled with
    // zeros when it made them, and pages over pages it has; a full disk refuses the growth alone.
    const fstat = fs.fstatSync.bind(fs);
    replace('writeSync', (real) => (...args) => {
      const path = pathOfFd(args[0]);
      if (under(path)) {
        // writeSync(fd, buffer, offset, length, position) or writeSync(fd, string, position)
        const length = typeof args[1] === 'string' ? Buffer.byteLength(args[1]) : typeof args[3] === 'number' ? args[3] : (args[1] as Uint8Array).byteLength;
        const position = typeof args[1] === 'string' ? args[2] : args[4];
        const size = fstat(args[0] as number).size;
        const end = typeof position === 'number' ? position + length : size + length;
        if (end > size) spend(end - size, 'write', path);
      }
      return real(...args);
    });
    replace('writeFileSync', (real) => (...args) => {
      if (under(args[0])) {
        const data = args[1];
        const length = typeof data === 'string' ? Buffer.byteLength(data) : (data as Uint8Array).byteLength;
        // The file is made, then its content does not fit: as on a full disk, an empty file is left.
        if (length > state.bytesLeft) {
          real(args[0], '', args[2]);
          spend(length, 'write', String(args[0]));
        }
        state.bytesLeft -= length;
      }
      return real(...args);
    });
  }
  // ESM named imports of node:fs (the service's code) see the replaced functions only after this.
  syncBuiltinESMExports();
  return {
    get failures() {
      return state.failures;
    },
    restore() {
      for (const [name, real] of original) target[name] = real as (...args: unknown[]) => unknown;
      syncBuiltinESMExports();
    },
  };
}
