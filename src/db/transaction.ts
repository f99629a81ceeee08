import type { Transaction } from 'kysely';
import type { Database } from './schema.ts';
import type { Db } from './open.ts';

export type Tx = Transaction<Database>;
/** Either the database or an open transaction: repository functions take whichever the caller has. */
export type Executor = Db | Tx;

export function inTransaction<T>(db: Db, work: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction().execute(work);
}
