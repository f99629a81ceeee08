import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createTestDatabase } from '../../test/helpers/database.ts';
import { chainGenesisHash, contentHash, linkHash, linkHashSql, noContractChain } from './chain.ts';

/**
 * A scheme-2 link is made in SQL by the append and remade in Node by the walk (decision 0026): the
 * two must agree on every chain name and number the trail writes, or every new record would read
 * as altered.
 */
test('the link of scheme 2 is the same hash in SQL as in Node, for any chain and number', async () => {
  const database = await createTestDatabase();
  try {
    const content = contentHash({ chain: '12345678903', at: new Date(0), contractId: null, userRef: null, actor: 'system', action: 'x', outcome: 'info', reason: null, ip: null, userAgent: null, details: {} });
    const links = [
      { chain: '12345678903', seq: 1n, prevHash: chainGenesisHash, contentHash: content },
      { chain: '12345678903', seq: 9n, prevHash: 'a'.repeat(64), contentHash: content },
      { chain: '12345678903', seq: 10n, prevHash: 'b'.repeat(64), contentHash: 'c'.repeat(64) },
      { chain: noContractChain, seq: 1234567n, prevHash: content, contentHash: content },
      { chain: noContractChain, seq: 9007199254740993n, prevHash: 'd'.repeat(64), contentHash: 'e'.repeat(64) },
      { chain: noContractChain, seq: 9223372036854775807n, prevHash: 'd'.repeat(64), contentHash: 'e'.repeat(64) },
    ];
    for (const link of links) {
      const inSql = linkHashSql(sql`${link.chain}::text`, sql`${link.seq}::bigint`, sql`${link.prevHash}::text`, sql`${link.contentHash}::text`);
      const { rows } = await sql<{ hash: string }>`SELECT ${inSql} AS hash`.execute(database.db);
      assert.equal(rows[0]!.hash, linkHash(link), `chain ${link.chain}, record ${link.seq}`);
    }
    // Each part counts: a number one more, or another chain, is another link.
    assert.notEqual(linkHash({ ...links[1]!, seq: 90n }), linkHash(links[1]!));
    assert.notEqual(linkHash({ ...links[1]!, chain: '12345678904' }), linkHash(links[1]!));
  } finally {
    await database.drop();
  }
});
