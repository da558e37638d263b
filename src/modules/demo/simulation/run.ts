// `vangrail demo --simulate`: runs the whole chain against the fictional world on an
// accelerated clock — reports come in, their URLs are attributed (domain patterns, and DNS →
// RDAP for the host), notices go out by SMTP to a local server, each party's desk answers as
// its behaviour says (or not at all), reminders follow and deadlines lapse. Monitoring re-checks
// the sites every simulated hour: a removal counts from the first check that saw the page gone,
// never from the party's claim. Every message sent is kept as an .eml file under
// <data>/sim-mail/. What it leaves is a normal data folder.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ManualClock } from "../../../platform/clock.ts";
import type { Config } from "../../../platform/config.ts";
import * as registry from "../../attribution/parties.ts";
import * as audit from "../../audit/service.ts";
import type { Deps } from "../../deps.ts";
import { renderPendingDossiers } from "../../escalation/dossier.ts";
import * as enforcement from "../../escalation/enforcement.ts";
import * as ladder from "../../escalation/ladder.ts";
import { type Principal, userPrincipal } from "../../identity/principal.ts";
import * as identity from "../../identity/service.ts";
import { currentConsent } from "../../intake/consent.ts";
import { submitPublicReport } from "../../intake/service.ts";
import { buildMonitoringEnv, setMonitoringEnv } from "../../monitoring/env.ts";
import { shippedPolicyInput } from "../../monitoring/policy.ts";
import * as monitoring from "../../monitoring/service.ts";
import * as notices from "../../notices/service.ts";
import { createTransport } from "../../notices/transport.ts";
import { startRdapPeer, startSites, startSmtpPeer } from "./peers.ts";
import {
  type Behaviour,
  plan,
  rng,
  type SimParty,
  type SimRegulatorDesk,
  simParties,
  simRegistrar,
  simRegulatorDesks,
} from "./world.ts";

export interface SimulateOptions {
  days: number;
  /** Reports arrive on the first this many days (default: every day); the world runs on after. */
  reportDays?: number;
  seed: number;
  /** Reports per party per day. */
  reportsPerDay: number;
  progress?: (day: number, days: number) => void;
}

export interface SimSummary {
  parties: {
    name: string;
    behaviour: Behaviour;
    notices: number;
    responses: number;
    removed: number;
    medianRemovalHours: number | null;
    escalations: number;
    enforcementRequests: number;
  }[];
  totals: {
    reports: number;
    items: number;
    notices: number;
    responses: number;
    removed: number;
    escalations: number;
    enforcementRequests: number;
    lapsedTerms: number;
  };
}

/** The hooks the simulation needs from modules that it does not own. */
export interface SimHooks {
  /** Registers a simulated party in the hotline's registry; returns its id. */
  registerParty(deps: Deps, organisationId: string, p: SimParty): Promise<string>;
  /** Attributes items (platform by domain pattern; otherwise DNS → IP → RDAP). */
  attribute(deps: Deps, organisationId: string, itemIds: string[]): Promise<void>;
}

/** Puts a simulated party in the hotline's registry (platforms by domain; hosts by ASN and e-mail). */
export async function registerSimParty(deps: Deps, organisationId: string, p: SimParty): Promise<string> {
  const fields = {
    name: p.name,
    kind: p.kind,
    country: p.country,
    languages: p.languages,
    maxUrlsPerNotice: 20,
    notes: `Simulated party (behaviour: ${p.behaviour}).`,
  };
  const r = await registry.upsertParty(
    deps,
    registry.operatorFor(organisationId),
    {
      fields,
      named: new Set(Object.keys(fields) as (keyof typeof fields)[]),
      matchers:
        p.kind === "platform"
          ? p.domains.map((d) => ({ kind: "domain" as const, value: d }))
          : [
              { kind: "asn" as const, value: String(p.asn) },
              { kind: "abuse_email" as const, value: p.email },
            ],
      channels: [{ kind: "email", address: p.email }],
      archived: false,
    },
    { source: "simulation" },
  );
  return r.id;
}

/** Starts the peers, then hands the caller a config to boot Vangrail with. */
export async function preparePeers(dataDir: string) {
  const smtp = await startSmtpPeer();
  const addresses = simParties.map((p) => p.address);
  const sites = await startSites(addresses);
  const rdap = await startRdapPeer(
    simParties.map((p) => ({
      address: p.address,
      handle: `SIM-${p.asn}`,
      name: p.name.replace(/[^A-Za-z]+/g, "-").toUpperCase(),
      country: p.country,
      org: p.name,
      abuseEmail: p.email,
      asn: p.asn,
    })),
    simParties.flatMap((p) =>
      p.domains.map((d) => ({
        name: d,
        registrar: simRegistrar.name,
        registrarIanaId: simRegistrar.ianaId,
        registrarAbuseEmail: simRegistrar.abuseEmail,
      })),
    ),
  );
  for (const p of simParties) if (p.behaviour === "bounces") smtp.refuse.add(p.email);
  // An RFC 9224 bootstrap that sends every simulated lookup to the local RDAP server.
  const bootstrapDir = join(dataDir, "sim-rdap-bootstrap");
  mkdirSync(bootstrapDir, { recursive: true });
  const file = (name: string, services: unknown) =>
    writeFileSync(
      join(bootstrapDir, name),
      JSON.stringify({
        version: "1.0",
        publication: new Date().toISOString(),
        description: "Vangrail simulation",
        services,
      }),
    );
  file("ipv4.json", [[["127.0.0.0/8"], [rdap.url]]]);
  file("ipv6.json", [[["::1/128"], [rdap.url]]]);
  file("asn.json", [[["64496-64511", "64512-65534"], [rdap.url]]]);
  file("dns.json", [[["example"], [rdap.url]]]);
  const mailDir = join(dataDir, "sim-mail");
  rmSync(mailDir, { recursive: true, force: true });
  mkdirSync(mailDir, { recursive: true });
  const resolve = (host: string) => {
    const p = simParties.find((x) => x.domains.some((d) => host === d || host.endsWith(`.${d}`)));
    return p ? [{ address: p.address, family: 4 as const }] : [];
  };
  return {
    smtp,
    sites,
    rdap,
    mailDir,
    resolve,
    env: { MAIL_TRANSPORT: "smtp", SMTP_URL: smtp.url, RDAP_BOOTSTRAP_DIR: bootstrapDir },
    async close() {
      await Promise.all([smtp.close(), sites.close(), rdap.close()]);
    },
  };
}

type Peers = Awaited<ReturnType<typeof preparePeers>>;

const CATEGORIES = ["ncii", "deepfake", "sextortion", "exposure_list"] as const;

const decodeQp = (s: string) =>
  s
    .replace(/=\r?\n/g, "")
    .replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)));

export async function simulate(
  deps: Deps,
  clock: ManualClock,
  config: Config,
  peers: Peers,
  hooks: SimHooks,
  organisationId: string,
  opts: SimulateOptions,
): Promise<SimSummary> {
  const random = rng(opts.seed);
  notices.setNoticeEnv(deps, {
    transport: createTransport(config, { fetcher: { allowLoopback: true }, copyDir: peers.mailDir }),
  });
  // The fictional sites are on loopback (127.0.0.2–6), all on one port: the re-checks go there,
  // through the safe fetcher with its loopback exception (honoured only in this mode).
  setMonitoringEnv(
    deps,
    buildMonitoringEnv(deps, {
      // The fictional sites are local and answer at once: no spacing between re-checks.
      policy: {
        ...(shippedPolicyInput() as unknown as Record<string, unknown>),
        politeness: { perHostConcurrency: 4, minSpacingMs: 0, perHostPerBatch: 50 },
      },
      fetcher: { allowLoopback: true, resolver: async (host) => peers.resolve(host) },
      target: (url) => {
        const u = new URL(url);
        u.port = String(peers.sites.port);
        return u.toString();
      },
    }),
  );
  const partyIds = new Map<string, string>();
  for (const p of simParties) partyIds.set(p.name, await hooks.registerParty(deps, organisationId, p));

  const seen = new Set<string>();
  const actions: {
    at: number;
    token: string;
    kind: "acknowledged" | "removed" | "refused";
    party: SimParty;
  }[] = [];
  let reports = 0;
  let items = 0;
  const hours = opts.days * 24;
  const reportHours = Math.min(opts.days, opts.reportDays ?? opts.days) * 24;
  // The hotline's coordinator approves steps towards a regulator at once, and the regulators'
  // desks answer in their portal as their behaviour says.
  const coordinator = await staffPrincipal(deps, "coordinator@meldpunt.demo.example");
  const desks = await Promise.all(
    simRegulatorDesks.map(async (d) => ({ ...d, by: await staffPrincipal(deps, d.officerEmail) })),
  );
  // Hourly while reports arrive and parties answer (three days after the last report); every
  // six hours while the ladder climbs (its steps are a day or more apart); then daily, which is
  // as fine as monitoring's daily re-checks and the Awb clock (counted in days) need.
  let step = 1;
  for (let h = 0; h < hours; h += step) {
    step = h < reportHours + 3 * 24 ? 1 : h < reportHours + 14 * 24 ? 6 : 24;
    if (h % 24 === 0 || (h % 24) + step > 24) opts.progress?.(Math.floor(h / 24) + 1, opts.days);
    // Reports arrive during the day: each party's share, spread over office hours.
    if (h < reportHours && h % 24 >= 8 && h % 24 < 20 && h % 2 === 0) {
      for (const p of simParties) {
        if (random() > opts.reportsPerDay / 6) continue;
        const domain = p.domains[Math.floor(random() * p.domains.length)] as string;
        const n = 1 + Math.floor(random() * 3);
        const urls = Array.from(
          { length: n },
          () => `http://${domain}/p/${Math.floor(random() * 1e9).toString(36)}`,
        );
        const category = CATEGORIES[Math.floor(random() * CATEGORIES.length)] as (typeof CATEGORIES)[number];
        const receipt = await submitPublicReport(deps, {
          category,
          urls,
          accounts: [],
          description: "Simulated report (fictional).",
          reporterRole: random() < 0.6 ? "depicted" : "bystander",
          ageBand: "25_plus",
          answers: {
            immediateDanger: false,
            selfHarm: false,
            minorInvolved: false,
            ongoingThreat: category === "sextortion",
            paid: false,
            physicalViolence: false,
          },
          language: random() < 0.7 ? "nl" : "en",
          consent: { given: true, version: currentConsent.version },
        });
        reports++;
        items += n;
        const itemRows = await deps.db
          .selectFrom("case_items")
          .innerJoin("items", "items.id", "case_items.item_id")
          .select(["items.id", "items.value"])
          .where("case_items.case_id", "=", receipt.caseId)
          .execute();
        await hooks.attribute(
          deps,
          organisationId,
          itemRows.map((i) => i.id),
        );
        await notices.createNotices(deps, audit.systemActor, organisationId, category, itemRows);
      }
    }
    await notices.deliverAll(deps);
    // The parties' desks read their mail.
    for (const mail of peers.smtp.inbox) {
      const text = decodeQp(mail.raw);
      if (!/X-Vangrail-Purpose: notice/i.test(mail.raw)) continue;
      const token = /\/respond\/([A-Za-z0-9_-]{20,100})/.exec(text)?.[1];
      if (!token || seen.has(token)) continue;
      seen.add(token);
      const party = simParties.find((p) => mail.to.includes(p.email));
      if (!party) continue;
      const step = plan(party.behaviour, random);
      if (step.ackAfter !== undefined)
        actions.push({ at: h + step.ackAfter, token, kind: "acknowledged", party });
      if (step.actAfter !== undefined && step.action)
        actions.push({ at: h + step.actAfter, token, kind: step.action, party });
    }
    peers.smtp.inbox.length = 0;
    actions.sort((a, b) => a.at - b.at);
    while (actions.length && (actions[0] as (typeof actions)[number]).at <= h + step) {
      const a = actions.shift() as (typeof actions)[number];
      const view = await notices.publicNotice(deps, a.token);
      if (a.kind === "removed") for (const it of view.items) peers.sites.removed.add(it.url);
      await notices.respondWithToken(
        deps,
        a.token,
        a.kind === "refused"
          ? {
              kind: "refused",
              restriction: "no action",
              groundKind: "contractual",
              ground: "Terms of service §4 (fictional): content between adults",
              facts: "The uploader states that the person depicted agreed to publication.",
              automated: false,
            }
          : { kind: a.kind },
        "api",
      );
    }
    // The due re-checks of this hour (scheduled ones, and those a claimed removal brought forward).
    await monitoring.runAllDue(deps);
    await notices.checkDeadlines(deps);
    // The ladder: escalated reminders, the host, the registrar, then the regulators.
    await ladder.escalationTick(deps);
    for (const a of await ladder.pendingApprovals(deps, coordinator))
      await ladder.decideApproval(deps, coordinator, a.id, {
        decision: "approve",
        note: "Approved in the simulation.",
      });
    await ladder.escalationTick(deps);
    await notices.deliverAll(deps);
    await enforcement.runClock(deps);
    await regulatorsAnswer(deps, desks, coordinator);
    if (h % 24 === 0) await sendDossiers(deps);
    clock.advance(step * 3_600_000);
  }
  await sendDossiers(deps);
  peers.smtp.inbox.length = 0;
  return summarise(deps, organisationId, partyIds, reports, items);
}

async function staffPrincipal(deps: Deps, email: string): Promise<Principal> {
  const u = await identity.findUserByEmail(deps, email);
  if (!u) throw new Error(`the simulation needs the demo account ${email} (seeded by vangrail demo)`);
  const org = await deps.db
    .selectFrom("organisations")
    .select("kind")
    .where("id", "=", u.organisationId)
    .executeTakeFirstOrThrow();
  return userPrincipal(u, org.kind, "simulation");
}

const DAY_MS = 86_400_000;

/**
 * The regulators' desks confirm receipt and decide (or not) in their portal; the hotline sends
 * each drafted notice of default at once, and records its receipt a day later.
 */
async function regulatorsAnswer(
  deps: Deps,
  desks: (SimRegulatorDesk & { by: Principal })[],
  coordinator: Principal,
): Promise<void> {
  const now = deps.clock.now().getTime();
  for (const d of desks)
    for (const r of await enforcement.portalRequests(deps, d.by, {})) {
      if (r.status === "filed" && r.filedAt && now - Date.parse(r.filedAt) >= d.receiptAfterDays * DAY_MS)
        await enforcement.recordReceipt(deps, d.by, r.id, {});
      else if (
        r.status === "received" &&
        d.decideAfterDays !== null &&
        r.receivedAt &&
        now - Date.parse(r.receivedAt) >= d.decideAfterDays * DAY_MS
      )
        await enforcement.recordDecision(deps, d.by, r.id, {
          outcome: "granted",
          text: "Besluit in de simulatie (fictief): de aanbieder krijgt een last onder dwangsom.",
        });
    }
  for (const r of await enforcement.listRequests(deps, coordinator, { status: "received" })) {
    if (r.clock.state !== "lapsed") continue;
    const full = await enforcement.getRequest(deps, coordinator, r.id);
    const n = full.defaultNotice;
    if (!n) continue;
    if (!n.sentAt) await enforcement.recordDefaultNotice(deps, coordinator, r.id, { sentAt: new Date(now) });
    else if (!n.receivedAt && now - Date.parse(n.sentAt) >= DAY_MS)
      await enforcement.recordDefaultNotice(deps, coordinator, r.id, { receivedAt: new Date(now) });
  }
}

/** Dossiers are printed in Chromium and then e-mailed to regulators reached by address. */
async function sendDossiers(deps: Deps): Promise<void> {
  await renderPendingDossiers(deps);
  await enforcement.deliverFilingEmails(deps);
}

async function summarise(
  deps: Deps,
  organisationId: string,
  partyIds: Map<string, string>,
  reports: number,
  items: number,
): Promise<SimSummary> {
  const parties: SimSummary["parties"] = [];
  // Escalations: items the ladder moved on from a party (to its reminder, host, registrar or a
  // regulator). Enforcement requests: those filed about a party.
  const counts = await ladder.escalationCounts(deps.db, organisationId);
  const escalatedFrom = new Map(counts.map((c) => [c.partyId, c.items]));
  const filed = await deps.db
    .selectFrom("enforcement_requests")
    .select(["party_id", "lapsed_at"])
    .where("organisation_id", "=", organisationId)
    .where("filed_at", "is not", null)
    .execute();
  const requestsAbout = new Map<string, number>();
  for (const r of filed)
    if (r.party_id) requestsAbout.set(r.party_id, (requestsAbout.get(r.party_id) ?? 0) + 1);
  for (const p of simParties) {
    const id = partyIds.get(p.name) as string;
    const ns = await deps.db
      .selectFrom("notices")
      .select(["id", "sent_at"])
      .where("organisation_id", "=", organisationId)
      .where("party_id", "=", id)
      .execute();
    const ids = ns.map((n) => n.id);
    const responses = ids.length
      ? Number(
          (
            await deps.db
              .selectFrom("notice_responses")
              .select((eb) => eb.fn.countAll().as("n"))
              .where("notice_id", "in", ids)
              .executeTakeFirstOrThrow()
          ).n,
        )
      : 0;
    // Removed means verified: the first monitoring check that saw the item gone (items.removed_at),
    // measured from when the party's notice was sent. What the party claimed does not count.
    const removedRows = ids.length
      ? await deps.db
          .selectFrom("notice_items")
          .innerJoin("notices", "notices.id", "notice_items.notice_id")
          .innerJoin("items", "items.id", "notice_items.item_id")
          .select(["items.id", "items.removed_at", (eb) => eb.fn.min("notices.sent_at").as("sent_at")])
          .where("notice_items.notice_id", "in", ids)
          .where("items.removed_at", "is not", null)
          .groupBy(["items.id", "items.removed_at"])
          .execute()
      : [];
    const hours = removedRows
      .filter((r) => r.removed_at && r.sent_at)
      .map(
        (r) => (new Date(r.removed_at as Date).getTime() - new Date(r.sent_at as Date).getTime()) / 3_600_000,
      )
      .sort((a, b) => a - b);
    parties.push({
      name: p.name,
      behaviour: p.behaviour,
      notices: ns.length,
      responses,
      removed: removedRows.length,
      medianRemovalHours: hours.length ? Math.round(median(hours) * 10) / 10 : null,
      escalations: escalatedFrom.get(id) ?? 0,
      enforcementRequests: requestsAbout.get(id) ?? 0,
    });
  }
  const sum = (k: "notices" | "responses" | "removed") => parties.reduce((s, p) => s + p[k], 0);
  return {
    parties,
    totals: {
      reports,
      items,
      notices: sum("notices"),
      responses: sum("responses"),
      removed: sum("removed"),
      escalations: counts.reduce((n, c) => n + c.items, 0),
      enforcementRequests: filed.length,
      lapsedTerms: filed.filter((r) => r.lapsed_at !== null).length,
    },
  };
}

function median(sorted: number[]): number {
  const m = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[m] as number) : ((sorted[m - 1] as number) + (sorted[m] as number)) / 2;
}
