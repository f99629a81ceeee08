import { parseConfig, type Config } from '../../src/config.ts';
import type { Deps } from '../../src/deps.ts';
import type { Db } from '../../src/db/open.ts';
import { FakeClock } from '../../src/platform/clock.ts';
import { cryptoRandom } from '../../src/platform/random.ts';
import { createKeyring, parseKeyringSpec } from '../../src/platform/keyring.ts';
import { useTestOnlyWeakHashing } from '../../src/auth/password-hash.ts';

export const testKeyringSpec = `1:${Buffer.alloc(32, 7).toString('base64')}`;

/**
 * Deps for a test: a fake clock (tests never sleep), real randomness, a fixed test key, and new
 * password hashes at the cheapest argon2id parameters for the rest of this test process, unless
 * the file is about the cost of an evaluation (`hashing: 'production'`, asked before any other).
 */
export function testDeps(
  db: Db,
  options: { env?: Record<string, string>; clock?: FakeClock; hashing?: 'test-only-weak' | 'production' } = {},
): Deps & { clock: FakeClock } {
  if (options.hashing !== 'production') useTestOnlyWeakHashing();
  const config: Config = parseConfig({
    SEED_DEMO: 'false',
    LOG_LEVEL: 'silent',
    LOGON_RATE_PER_MINUTE: '100000',
    DATA_DIR: '/nonexistent-test-data-dir',
    ...options.env,
  });
  return {
    db,
    clock: options.clock ?? new FakeClock('2026-04-01T00:00:00Z'),
    random: cryptoRandom,
    keyring: createKeyring(parseKeyringSpec(testKeyringSpec), cryptoRandom),
    config,
  };
}
