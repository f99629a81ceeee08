import { hash, verify } from '@node-rs/argon2';

/**
 * R2.2: only slow salted hashes are stored. argon2id with the second recommended option of RFC 9106
 * (64 MiB, 3 passes, 4 lanes), stronger than OWASP's minimum: a corporate portal has few logons, and
 * a stolen hash should cost an attacker as much as we can afford at logon (docs/decisions/0006).
 * The parameters are inside each hash, so changing them later leaves old hashes verifiable.
 */
export const argon2Options = {
  algorithm: 2, // Argon2id (the package's const enum cannot be imported under type stripping)
  memoryCost: 65_536,
  timeCost: 3,
  parallelism: 4,
} as const;

/**
 * The cheapest parameters argon2id accepts (RFC 9106: at least 8 KiB per lane). For tests only,
 * through `useTestOnlyWeakHashing`: see there.
 */
const testOnlyWeakArgon2Options = { ...argon2Options, memoryCost: 8, timeCost: 1, parallelism: 1 } as const;

let newHashOptions: typeof argon2Options | typeof testOnlyWeakArgon2Options = argon2Options;

/**
 * TEST ONLY. From now on this process gives new hashes the cheapest argon2id parameters, so that a
 * test that sets and checks hundreds of passwords, but is not about hashing, spends microseconds
 * on each rather than 30 ms of both cores. Verification needs no switch: the parameters are read
 * from each stored hash. No configuration reaches this: it is called only by the test helpers
 * (test/helpers/deps.ts), a test fails if anything under src/ calls it, and the service and its
 * CLIs hash at `argon2Options`, which the hashing tests and the start-up test check.
 */
export function useTestOnlyWeakHashing(): void {
  newHashOptions = testOnlyWeakArgon2Options;
}

export function hashSecret(secret: string): Promise<string> {
  return hash(secret, newHashOptions);
}

export async function verifySecret(storedHash: string, secret: string): Promise<boolean> {
  try {
    return await verify(storedHash, secret);
  } catch {
    return false; // a malformed stored hash never verifies
  }
}

/**
 * A hash of a value nobody knows, verified when the person does not exist or is stopped, so that
 * such an answer takes as long as a real wrong password (R2.4).
 */
let decoyHash: Promise<string> | undefined;
export function verifyDecoy(secret: string): Promise<boolean> {
  decoyHash ??= hashSecret('decoy-' + process.hrtime.bigint().toString());
  return decoyHash.then((h) => verifySecret(h, secret)).then(() => false);
}
