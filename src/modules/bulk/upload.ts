import type { Deps } from '../../deps.ts';
import type { BulkFile } from '../../db/schema-bulk.ts';
import { AppError } from '../../errors.ts';
import type { Actor } from '../transfers/types.ts';
import { checkBulkFile, type BulkProblem } from './check.ts';
import { bulkHolderOf } from './holder.ts';
import { refuse } from './refusal.ts';
import { storeDraft } from './store.ts';

/** R8.4: a file refused with every problem found in it; nothing of it is stored. */
export class BulkFileRefused extends AppError {
  readonly problems: readonly BulkProblem[];
  constructor(problems: readonly BulkProblem[]) {
    super('BULK_FILE_INVALID');
    this.problems = problems;
  }
}

/** The name a file is listed by: what the browser sent, without paths or control characters. */
export function cleanFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const clean = [...base.replace(/[\p{Cc}\p{Cf}]/gu, '').trim()].slice(0, 200).join('');
  return clean === '' ? 'upload.txt' : clean;
}

/**
 * R8.4: a file from the person's computer, or one built on screen (`origin`): the person must hold
 * the register step; the file is checked whole and kept as their draft only when it is valid.
 */
export async function uploadFile(deps: Deps, actor: Actor, bytes: Uint8Array, fileName: string, origin: 'upload' | 'built' = 'upload'): Promise<BulkFile> {
  if (bytes.length > deps.config.bulkFileBytesMax) refuse('BULK_FILE_TOO_LARGE', 'file', { megabytes: (deps.config.bulkFileBytesMax / 1024 / 1024).toFixed(1) });
  const holder = await bulkHolderOf(deps.db, actor);
  if (!holder.canRegister) refuse('BULK_NOT_PERMITTED');
  // The header's account decides which account the person must be able to use: the check asks again with it.
  const checked = await checkBulkFile(deps, deps.db, actor, bytes);
  if (!checked.ok) throw new BulkFileRefused(checked.problems);
  return storeDraft(deps, actor, checked.file, bytes, cleanFileName(fileName), origin);
}
