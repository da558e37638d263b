// `vangrail keys`: the master key and organisations' signing keys.
//
// Rotating the master key (envelope encryption: only the small wrapped data keys change):
//   1. vangrail keys generate                      → a new key (or: openssl rand -base64 32)
//   2. set VANGRAIL_MASTER_KEY=<new>, VANGRAIL_MASTER_KEY_PREVIOUS=<old>; restart every process
//      (new blobs are wrapped with the new key; old ones still open with the previous key)
//   3. vangrail keys rotate                        → re-wraps every data key and sealed signing key
//   4. vangrail keys status                        → when nothing is left under the old key id,
//      remove VANGRAIL_MASTER_KEY_PREVIOUS and destroy the old key (it is retired).
import { randomBytes } from "node:crypto";
import { resealWebhookSecrets } from "../modules/attribution/parties.ts";
import { type Actor, record, systemActor } from "../modules/audit/service.ts";
import { evidenceEnv } from "../modules/evidence/env.ts";
import { publicSigningKeyFor } from "../modules/evidence/service.ts";
import { rotateSigningKeys, signingKeyUsage } from "../modules/evidence/signing.ts";
import { organisations } from "../modules/evidence/store.ts";
import { resealMfaSecrets } from "../modules/identity/service.ts";
import { resealIntakeSecrets } from "../modules/intake/service.ts";
import { parse, UsageError } from "./args.ts";
import { boot } from "./runtime.ts";

const help = `Usage:
  vangrail keys status                 which master key wraps how many data and signing keys
  vangrail keys rotate                 re-wrap every evidence data key and sealed signing key
                                       under the current VANGRAIL_MASTER_KEY (blobs untouched)
  vangrail keys generate               print a new random master key (base64)
  vangrail keys export-public [--org ORG-ID]
                                       print an organisation's evidence signing key (PEM) and
                                       its fingerprint, for regulators to pin

Rotation: set the new key as VANGRAIL_MASTER_KEY and the old one in
VANGRAIL_MASTER_KEY_PREVIOUS, restart, run \`keys rotate\`, check \`keys status\`, then remove
the previous key. Secrets other modules sealed with the master key (TOTP seeds) are not
re-wrapped by this command.`;

export async function run(argv: string[]): Promise<number> {
  const a = parse(argv, { org: { type: "string" }, json: { type: "boolean" } }, help);
  if (!a) return 0;
  const [sub] = a.positionals;
  if (sub === "generate") {
    console.log(randomBytes(32).toString("base64"));
    return 0;
  }
  if (!sub || !["status", "rotate", "export-public"].includes(sub)) throw new UsageError(help);
  const rt = await boot();
  try {
    const { deps } = rt;
    const env = evidenceEnv(deps);
    if (sub === "status") {
      const status = {
        currentKeyId: env.ring.current.id,
        knownKeyIds: [...env.ring.byId.keys()],
        blobDataKeys: await env.blobs.keyUsage(),
        signingKeys: await signingKeyUsage(deps.db),
      };
      console.log(JSON.stringify(status, null, 2));
      return 0;
    }
    if (sub === "rotate") {
      const blobs = await env.blobs.rotate();
      const signing = await rotateSigningKeys(deps.db, env.ring);
      const totp = await resealMfaSecrets(deps);
      const intakeSecrets = await resealIntakeSecrets(deps);
      const webhooks = await resealWebhookSecrets(deps);
      const actor: Actor = systemActor;
      await deps.db.transaction().execute((tx) =>
        record(tx, deps.clock, actor, {
          action: "evidence.keys_rotated",
          reason: "operator: vangrail keys rotate",
          data: {
            currentKeyId: env.ring.current.id,
            blobs: { checked: blobs.checked, rewrapped: blobs.rewrapped, failed: blobs.failed.length },
            signingKeys: {
              checked: signing.checked,
              rewrapped: signing.rewrapped,
              failed: signing.failed.length,
            },
            totpSecrets: { checked: totp.checked, resealed: totp.resealed, failed: totp.failed.length },
            reportSecrets: {
              checked: intakeSecrets.checked,
              resealed: intakeSecrets.resealed,
              failed: intakeSecrets.failed.length,
            },
            webhookSecrets: {
              checked: webhooks.checked,
              resealed: webhooks.resealed,
              failed: webhooks.failed.length,
            },
          },
        }),
      );
      console.log(
        `master key ${env.ring.current.id}: ${blobs.rewrapped} of ${blobs.checked} blob data keys and ` +
          `${signing.rewrapped} of ${signing.checked} signing keys re-wrapped; ` +
          `${totp.resealed} of ${totp.checked} TOTP secrets and ` +
          `${intakeSecrets.resealed} of ${intakeSecrets.checked} sealed report values and ` +
          `${webhooks.resealed} of ${webhooks.checked} webhook secrets re-sealed`,
      );
      for (const id of totp.failed) console.error(`  could not re-seal the TOTP secret of user ${id}`);
      for (const id of [...intakeSecrets.failed, ...webhooks.failed])
        console.error(`  could not re-seal ${id}`);
      for (const f of [...blobs.failed.map((x) => x.sha256), ...signing.failed.map((x) => x.id)])
        console.error(`  could not re-wrap ${f}`);
      return blobs.failed.length +
        signing.failed.length +
        totp.failed.length +
        intakeSecrets.failed.length +
        webhooks.failed.length ===
        0
        ? 0
        : 1;
    }
    const orgs = await organisations(deps.db);
    const org = a.values.org
      ? orgs.find((o) => o.id === a.values.org)
      : orgs.length === 1
        ? orgs[0]
        : undefined;
    if (!org) throw new UsageError("name the organisation with --org");
    const k = await publicSigningKeyFor(deps, org.id);
    console.log(k.publicKeyPem.trim());
    console.log(`# ${org.name}: Ed25519, SHA-256 fingerprint of the DER key ${k.fingerprint}`);
    return 0;
  } finally {
    await rt.close();
  }
}
