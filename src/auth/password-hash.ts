import { hash, verify } from '@node-rs/argon2';

/**
 * R2.2: only slow salted hashes are stored. argon2id with OWASP's first recommended parameters
 * (19 MiB, 2 passes, 1 lane); the parameters are inside each hash, so raising them later leaves
 * old hashes verifiable.
 */
export const argon2Options = {
  algorithm: 2, // Argon2id (the package's const enum cannot be imported under type stripping)
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

export function hashSecret(secret: string): Promise<string> {
  return hash(secret, argon2Options);
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
