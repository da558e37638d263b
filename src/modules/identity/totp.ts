// TOTP (RFC 6238): 6 digits, 30-second steps, SHA-1 (what every authenticator app supports).
// A code is accepted once: the step it belongs to must be newer than the last step accepted.
import * as OTPAuth from "otpauth";
import QRCode from "qrcode";

const PERIOD = 30;

export const newTotpSecret = (): string => new OTPAuth.Secret({ size: 20 }).base32;

const totpFor = (secret: string, label = "user") =>
  new OTPAuth.TOTP({
    issuer: "Vangrail",
    label,
    algorithm: "SHA1",
    digits: 6,
    period: PERIOD,
    secret: OTPAuth.Secret.fromBase32(secret),
  });

export const otpauthUri = (secret: string, label: string): string => totpFor(secret, label).toString();

export const qrDataUrl = (uri: string): Promise<string> =>
  QRCode.toDataURL(uri, { errorCorrectionLevel: "M", margin: 2, width: 240 });

/** The step a valid code belongs to (one step of clock drift either way), or null. */
export function matchTotp(secret: string, code: string, now: Date): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = totpFor(secret).validate({ token: code, timestamp: now.getTime(), window: 1 });
  if (delta === null) return null;
  return Math.floor(now.getTime() / 1000 / PERIOD) + delta;
}

export const totpCode = (secret: string, at: Date): string =>
  totpFor(secret).generate({ timestamp: at.getTime() });
