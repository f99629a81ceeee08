import { AsyncLocalStorage } from 'node:async_hooks';
import { TransactionBuilder, type Kysely } from 'kysely';
import type { Database } from './schema.ts';

/**
 * Code that runs inside a transaction must use that transaction (`tx`), never the database (`db`)
 * it came from. On the embedded database the mistake hangs for ever: PGlite has a single session,
 * held by the open transaction, which the second use waits for. On PostgreSQL it passes quietly —
 * the pool hands out another connection — but the write it makes is not part of the transaction
 * (it stays when the transaction rolls back) and under load the pool can run dry with every holder
 * waiting for a second connection. The guard makes the mistake an immediate error on both, so the
 * tests find it on whichever database they run (docs/decisions/0014).
 */
interface OpenTransaction {
  open: boolean;
}
const insideTransaction = new AsyncLocalStorage<OpenTransaction>();

export class DatabaseUsedInsideTransactionError extends Error {
  constructor() {
    super('the database was used by code running inside a transaction: use the transaction (tx) there, not the database (db)');
  }
}

/** A pool that refuses a checkout asked for from inside an open transaction of the same database. */
export function refusingCheckoutInsideTransaction<Pool extends { connect(): Promise<unknown> }>(pool: Pool): Pool {
  return new Proxy(pool, {
    get(target, key, receiver) {
      if (key !== 'connect') return Reflect.get(target, key, receiver);
      return () => {
        if (insideTransaction.getStore()?.open) return Promise.reject(new DatabaseUsedInsideTransactionError());
        return target.connect();
      };
    },
  });
}

/** Marks the code each transaction of `db` runs, for `refusingCheckoutInsideTransaction`. */
export function markTransactions(db: Kysely<Database>): void {
  const transaction = db.transaction.bind(db);
  db.transaction = () => marked(transaction());
}

function marked(builder: TransactionBuilder<Database>): TransactionBuilder<Database> {
  return new Proxy(builder, {
    get(target, key) {
      const value = Reflect.get(target, key, target) as unknown;
      if (key === 'execute') {
        return <T>(work: (tx: never) => Promise<T>) =>
          target.execute(async (tx) => {
            const transaction: OpenTransaction = { open: true };
            try {
              return await insideTransaction.run(transaction, () => work(tx as never));
            } finally {
              // Work the transaction started and left running (a timer, a delivery) may use the database once it has ended.
              transaction.open = false;
            }
          });
      }
      if (typeof value !== 'function') return value;
      // setIsolationLevel and setAccessMode return a new builder, which must stay marked.
      return (...args: unknown[]) => {
        const result = (value as (...a: unknown[]) => unknown).apply(target, args);
        return result instanceof TransactionBuilder ? marked(result as TransactionBuilder<Database>) : result;
      };
    },
  });
}
