// The current TOTP code for a secret, as an authenticator app would show it.
import { totpCode } from "../../src/modules/identity/totp.ts";

export const totpNow = (secret: string): string => totpCode(secret.replace(/\s+/g, ""), new Date());

/** Waits until the next 30-second step starts, so a fresh (never used) code is available. */
export async function nextTotpStep(): Promise<void> {
  const ms = 30_000 - (Date.now() % 30_000) + 50;
  await new Promise((r) => setTimeout(r, ms));
}
