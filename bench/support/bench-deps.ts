import { randomBytes } from 'node:crypto';
import { parseConfig } from '../../src/config.ts';
import type { Deps } from '../../src/deps.ts';
import type { Db } from '../../src/db/open.ts';
import { systemClock } from '../../src/platform/clock.ts';
import { cryptoRandom } from '../../src/platform/random.ts';
import { createKeyring, parseKeyringSpec } from '../../src/platform/keyring.ts';

/**
 * Deps as the service runs them (real clock, real randomness, a fresh key), except a logon rate
 * limit high enough that the benchmark measures the work, not the limit.
 */
export function benchDeps(db: Db, databaseUrl: string): Deps {
  const config = parseConfig({
    DATABASE_URL: databaseUrl,
    SEED_DEMO: 'false',
    LOG_LEVEL: 'silent',
    LOGON_RATE_PER_MINUTE: '100000',
    DATA_DIR: '/nonexistent-bench-data-dir',
  });
  return {
    db,
    clock: systemClock,
    random: cryptoRandom,
    keyring: createKeyring(parseKeyringSpec(`1:${randomBytes(32).toString('base64')}`), cryptoRandom),
    config,
  };
}
