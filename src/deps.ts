import type { Config } from './config.ts';
import type { Db } from './db/open.ts';
import type { Clock } from './platform/clock.ts';
import type { Keyring } from './platform/keyring.ts';
import type { Random } from './platform/random.ts';
import type { InterbankAdapter } from './interbank.ts';

/** Everything a use case may touch from outside itself; tests build it with fakes where they need to. */
export interface Deps {
  db: Db;
  clock: Clock;
  random: Random;
  keyring: Keyring;
  config: Config;
  /** Transfers to other banks (R8.2); the built-in adapter settles at once when none is given. */
  interbank?: InterbankAdapter;
}
