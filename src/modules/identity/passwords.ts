// Password hashing (Argon2id) and the password policy.
import argon2 from "argon2";
import { AppError } from "../../platform/errors.ts";
import { limits } from "../../platform/limits.ts";

// OWASP's Argon2id baseline is m=19 MiB, t=2, p=1; this is above it and takes ~50 ms here.
const options = { type: argon2.argon2id, memoryCost: 19_456 * 2, timeCost: 2, parallelism: 1 } as const;

export const hashPassword = (password: string): Promise<string> => argon2.hash(password, options);

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

// Verified against when an e-mail address is unknown, so the response takes as long as for a
// known one and does not reveal which addresses have accounts.
let dummyHash: Promise<string> | undefined;
export const burnPasswordCheck = async (password: string): Promise<void> => {
  dummyHash ??= hashPassword("not-a-real-password-for-timing-only");
  await verifyPassword(await dummyHash, password);
};

export function checkPasswordPolicy(password: string, email: string): void {
  if (password.length < limits.passwordMin) {
    throw new AppError("weak_password", {
      errors: [{ path: "password", message: `Use at least ${limits.passwordMin} characters.` }],
    });
  }
  if (password.toLowerCase() === email.toLowerCase()) {
    throw new AppError("weak_password", { detail: "The password must not be your e-mail address." });
  }
}
