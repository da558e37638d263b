// The party registry on PGlite and PostgreSQL: parties, matchers and channels through the API
// with validation and 422 pointers; organisation isolation (another hotline gets 404) and
// permissions (analysts read, admins manage, platform agents get 403); webhook secrets shown
// once and never again (not in answers, audit events or logs); the functions the notices
// module uses (matching by domain pattern, delivery order, failure marks, the unsealed secret);
// CSV export and an idempotent import with per-row results and hostile files; the demo data;
// and re-sealing after a master-key change.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { buildApp } from "../src/http/app.ts";
import * as parties from "../src/modules/attribution/parties.ts";
import { importPartiesCsv } from "../src/modules/attribution/parties-csv.ts";
import { demoParties, seedDemoParties } from "../src/modules/attribution/parties-demo.ts";
import * as audit from "../src/modules/audit/service.ts";
import { seedDemo } from "../src/modules/demo/service.ts";
import { open } from "../src/platform/crypto.ts";
import { limits } from "../src/platform/limits.ts";
import { type Agent, login, makeUser, startApp, type TestApp, userAgent } from "./support/app.ts";
import { backends } from "./support/db.ts";

const HOSTILE = "<img src=x onerror=alert(1)>";

for (const backend of backends) {
  describe(`party registry (${backend.name})`, () => {
    let t: TestApp;
    before(async () => {
      t = await startApp(backend);
    });
    after(() => t.close());

    async function admin() {
      return userAgent(t, "hotline", "admin");
    }

    async function createParty(agent: Agent, body: Record<string, unknown>) {
      const res = await agent.request("POST", "/api/v1/parties", { kind: "platform", ...body });
      assert.equal(res.statusCode, 201, res.body);
      return res.json() as { id: string; name: string } & Record<string, unknown>;
    }

    const auditEvents = async (organisationId: string) =>
      audit.listForOrganisation(t.deps.db, organisationId, { limit: 500 });

    it("creates, reads, lists, changes, archives and restores a party", async () => {
      const { agent, org } = await admin();
      const created = await createParty(agent, {
        name: "  Fotodeel B.V. ",
        country: "nl",
        dsaContact: "dsa@fotodeel.example",
        legalRepresentative: "",
        veryLarge: false,
        dsc: "ACM",
        languages: ["nl", "EN", "nl"],
        responseHours: 24,
        notes: "Line one\r\nline two",
      });
      assert.equal(created.name, "Fotodeel B.V.");
      assert.equal(created.country, "NL");
      assert.deepEqual(created.languages, ["nl", "en"]);
      assert.equal(created.legalRepresentative, null);
      assert.equal(created.notes, "Line one\nline two");
      assert.equal(created.maxUrlsPerNotice, 50);
      assert.equal(created.archived, false);
      assert.deepEqual(created.matchers, []);

      const dup = await agent.request("POST", "/api/v1/parties", { name: "FOTODEEL b.v.", kind: "hosting" });
      assert.equal(dup.statusCode, 409);
      assert.equal(dup.json().errors[0].pointer, "/name");

      const host = await createParty(agent, { name: "Wolkhost", kind: "hosting", country: "DE" });
      const list = (await agent.request("GET", "/api/v1/parties")).json().items;
      assert.deepEqual(
        list.map((p: { name: string }) => p.name),
        ["Fotodeel B.V.", "Wolkhost"],
      );
      const hosting = (await agent.request("GET", "/api/v1/parties?kind=hosting")).json().items;
      assert.deepEqual(
        hosting.map((p: { id: string }) => p.id),
        [host.id],
      );
      const search = (await agent.request("GET", "/api/v1/parties?q=fotodeel")).json().items;
      assert.equal(search.length, 1);
      // A search text is a literal: % and _ match themselves only.
      assert.equal((await agent.request("GET", "/api/v1/parties?q=%25")).json().items.length, 0);

      const patched = await agent.request("PATCH", `/api/v1/parties/${created.id}`, {
        veryLarge: true,
        responseHours: null,
        country: null,
      });
      assert.equal(patched.statusCode, 200, patched.body);
      assert.equal(patched.json().veryLarge, true);
      assert.equal(patched.json().responseHours, null);
      assert.equal(patched.json().country, null);
      assert.equal(patched.json().dsc, "ACM", "fields not named stay as they were");
      const rename = await agent.request("PATCH", `/api/v1/parties/${created.id}`, { name: "wolkhost" });
      assert.equal(rename.statusCode, 409);

      const archived = await agent.request("POST", `/api/v1/parties/${host.id}/archive`, {
        reason: "merged",
      });
      assert.equal(archived.statusCode, 200);
      assert.equal(archived.json().archived, true);
      assert.equal((await agent.request("GET", "/api/v1/parties")).json().items.length, 1);
      assert.equal((await agent.request("GET", "/api/v1/parties?archived=true")).json().items.length, 1);
      assert.equal((await agent.request("GET", "/api/v1/parties?archived=all")).json().items.length, 2);
      const restored = await agent.request("POST", `/api/v1/parties/${host.id}/restore`, {});
      assert.equal(restored.json().archived, false);

      const actions = (await auditEvents(org.id)).map((e) => e.action);
      for (const a of ["parties.created", "parties.updated", "parties.archived", "parties.restored"])
        assert.ok(actions.includes(a), a);
      const archivedEvent = (await auditEvents(org.id)).find((e) => e.action === "parties.archived");
      assert.equal(archivedEvent?.reason, "merged");
    });

    it("two requests for the same name at once: one party, and a 409", async () => {
      const { agent } = await admin();
      const results = await Promise.all(
        ["Tegelijk", "TEGELIJK", "tegelijk"].map((name) =>
          agent.request("POST", "/api/v1/parties", { name, kind: "platform" }),
        ),
      );
      assert.deepEqual(results.map((r) => r.statusCode).sort(), [201, 409, 409]);
    });

    it("refuses bad and hostile fields with 422 and a pointer to each", async () => {
      const { agent } = await admin();
      const bad = await agent.request("POST", "/api/v1/parties", {
        name: "Bad\u202eeman",
        kind: "bank",
        country: "XX",
        languages: ["zz"],
        responseHours: 0,
        maxUrlsPerNotice: 5000,
        dsc: "two\nlines",
        extra: 1,
      });
      assert.equal(bad.statusCode, 422, bad.body);
      const pointers = (bad.json().errors as { pointer: string }[]).map((e) => e.pointer).sort();
      for (const p of [
        "/name",
        "/kind",
        "/country",
        "/languages/0",
        "/responseHours",
        "/maxUrlsPerNotice",
        "/dsc",
      ])
        assert.ok(pointers.includes(p), `${p} in ${pointers.join(" ")}`);
      const long = await agent.request("POST", "/api/v1/parties", {
        name: "x".repeat(201),
        kind: "platform",
        notes: "y".repeat(5001),
      });
      assert.equal(long.statusCode, 422);
      const nul = await agent.request("POST", "/api/v1/parties", { name: "a\u0000b", kind: "platform" });
      assert.equal(nul.statusCode, 422);
      const empty = await agent.request("POST", "/api/v1/parties", { name: "   ", kind: "platform" });
      assert.equal(empty.statusCode, 422);
      assert.equal(empty.json().errors[0].pointer, "/name");
      // Markup is just text: stored and returned as written (the web shows it as text).
      const html = await createParty(agent, { name: HOSTILE, notes: "<script>alert(1)</script>" });
      assert.equal(html.name, HOSTILE);
      // A party's own organisation must be a platform organisation that exists.
      const notOrg = await agent.request("PATCH", `/api/v1/parties/${html.id}`, {
        partyOrganisationId: "00000000-0000-4000-8000-000000000000",
      });
      assert.equal(notOrg.statusCode, 422);
      assert.equal(notOrg.json().errors[0].pointer, "/partyOrganisationId");
      const platform = await userAgent(t, "platform", "admin");
      const linked = await agent.request("PATCH", `/api/v1/parties/${html.id}`, {
        partyOrganisationId: platform.org.id,
      });
      assert.equal(linked.statusCode, 200, linked.body);
      assert.equal(linked.json().partyOrganisationId, platform.org.id);
    });

    it("normalises matchers, refuses bad ones and finds parties by them", async () => {
      const { agent, org } = await admin();
      const foto = await createParty(agent, { name: "Fotodeel" });
      const cdn = await createParty(agent, { name: "Fotodeel CDN", kind: "hosting" });
      const add = (id: string, kind: string, value: string) =>
        agent.request("POST", `/api/v1/parties/${id}/matchers`, { kind, value });
      const cases: [string, string, string][] = [
        ["domain", " Fotodeel.EXAMPLE. ", "fotodeel.example"],
        ["domain", "Bücher.example", "xn--bcher-kva.example"],
        ["asn", "AS64500", "64500"],
        ["tld", ".TEST", "test"],
        ["registrar_iana_id", "0042", "42"],
        ["abuse_email", "Abuse@Fotodeel.Example", "abuse@fotodeel.example"],
      ];
      for (const [kind, value, stored] of cases) {
        const res = await add(foto.id, kind, value);
        assert.equal(res.statusCode, 201, `${kind} ${value}: ${res.body}`);
        assert.equal(res.json().value, stored);
      }
      const wildcard = await add(cdn.id, "domain", "*.img.fotodeel.example");
      assert.equal(wildcard.statusCode, 201, wildcard.body);

      const refused: [string, string][] = [
        ["domain", "exa mple.org"],
        ["domain", "https://fotodeel.example/x"],
        ["domain", "192.0.2.1"],
        ["domain", "localhost"],
        ["domain", "-bad-.example"],
        ["domain", "a..b.example"],
        ["domain", `${"a".repeat(64)}.example`],
        ["domain", "*.*.example.org"],
        ["domain", "fo*o.example"],
        ["asn", "AS-1"],
        ["asn", "99999999999"],
        ["tld", "co.uk"],
        ["registrar_iana_id", "abc"],
        ["abuse_email", "not-an-address"],
        ["abuse_email", "a@b"],
        ["nonsense", "x"],
      ];
      for (const [kind, value] of refused) {
        const res = await add(foto.id, kind, value);
        assert.equal(res.statusCode, 422, `${kind} ${value} should be refused: ${res.body}`);
        if (kind !== "nonsense") assert.equal(res.json().errors[0].pointer, "/value");
      }
      // A matcher points to one party only.
      const taken = await add(cdn.id, "domain", "FOTODEEL.example");
      assert.equal(taken.statusCode, 409);
      assert.match(taken.json().detail, /Fotodeel/);

      const find = (kind: Parameters<typeof parties.partyByMatcher>[2], value: string) =>
        parties.partyByMatcher(t.deps.db, org.id, kind, value);
      assert.equal((await find("domain", "fotodeel.example"))?.party.id, foto.id);
      assert.equal((await find("domain", "www.FOTODEEL.example"))?.party.id, foto.id);
      assert.equal((await find("domain", "img.fotodeel.example"))?.party.id, foto.id);
      const deep = await find("domain", "a.img.fotodeel.example");
      assert.equal(deep?.party.id, cdn.id, "the most specific pattern wins");
      assert.equal(deep?.matcher.value, "*.img.fotodeel.example");
      assert.equal(await find("domain", "otherfotodeel.example"), undefined);
      assert.equal(await find("domain", "not a host"), undefined);
      assert.equal((await find("asn", "64500"))?.party.id, foto.id);
      assert.equal((await find("asn", "as64500"))?.party.id, foto.id);
      assert.equal((await find("tld", "TEST"))?.party.id, foto.id);
      assert.equal((await find("registrar_iana_id", "42"))?.party.id, foto.id);
      assert.equal((await find("abuse_email", "ABUSE@fotodeel.example"))?.party.id, foto.id);

      // Another organisation's registry never answers.
      const other = await admin();
      assert.equal(
        await parties.partyByMatcher(t.deps.db, other.org.id, "domain", "fotodeel.example"),
        undefined,
      );

      // Archived parties are not found; removing a matcher frees it.
      await agent.request("POST", `/api/v1/parties/${cdn.id}/archive`, {});
      assert.equal((await find("domain", "a.img.fotodeel.example"))?.party.id, foto.id);
      const detail = (await agent.request("GET", `/api/v1/parties/${foto.id}`)).json();
      const asn = detail.matchers.find((m: { kind: string }) => m.kind === "asn");
      const del = await agent.request("DELETE", `/api/v1/parties/${foto.id}/matchers/${asn.id}`);
      assert.equal(del.statusCode, 204);
      assert.equal(await find("asn", "64500"), undefined);
      assert.equal(
        (await agent.request("DELETE", `/api/v1/parties/${cdn.id}/matchers/${asn.id}`)).statusCode,
        404,
        "a matcher is removed only through its own party",
      );
      const events = await auditEvents(org.id);
      assert.ok(
        events.some(
          (e) =>
            e.action === "parties.matcher_added" && (e.data as Record<string, unknown>).value === "64500",
        ),
      );
      assert.ok(
        events.some(
          (e) =>
            e.action === "parties.matcher_removed" && (e.data as Record<string, unknown>).value === "64500",
        ),
      );
      // The search finds a party by a matcher value too.
      const byMatcher = (await agent.request("GET", "/api/v1/parties?q=bcher")).json().items;
      assert.deepEqual(
        byMatcher.map((p: { id: string }) => p.id),
        [foto.id],
      );
    });

    it("shows a webhook secret once; never in answers, audit events or the database in the clear", async () => {
      const { agent, org } = await admin();
      const party = await createParty(agent, { name: "Snapgram" });
      const hook = await agent.request("POST", `/api/v1/parties/${party.id}/channels`, {
        kind: "webhook",
        address: "https://api.snapgram.example/hooks/notices?token=abc",
        priority: 10,
      });
      assert.equal(hook.statusCode, 201, hook.body);
      const secret = hook.json().secret as string;
      assert.ok(secret.length >= 40);
      const channelId = hook.json().channel.id as string;
      assert.equal(hook.json().channel.hasSecret, true);

      const mail = await agent.request("POST", `/api/v1/parties/${party.id}/channels`, {
        kind: "email",
        address: "DSA@Snapgram.EXAMPLE",
      });
      assert.equal(mail.statusCode, 201, mail.body);
      assert.equal(mail.json().secret, undefined);
      assert.equal(mail.json().channel.address, "DSA@snapgram.example");
      assert.equal(mail.json().channel.priority, 100);

      const detail = await agent.request("GET", `/api/v1/parties/${party.id}`);
      assert.ok(!detail.body.includes(secret));
      assert.equal(detail.json().channels[0].hasSecret, true);
      assert.equal(detail.json().channels[0].address, "https://api.snapgram.example/hooks/notices?token=abc");
      assert.ok(!(await agent.request("GET", "/api/v1/parties")).body.includes(secret));
      assert.ok(!(await agent.request("GET", "/api/v1/parties.csv")).body.includes(secret));

      // The notices module gets it unsealed; the row holds it sealed, bound to the channel.
      assert.equal(await parties.webhookSecret(t.deps, channelId), secret);
      const row = await t.deps.db
        .selectFrom("party_channels")
        .select("secret_sealed")
        .where("id", "=", channelId)
        .executeTakeFirstOrThrow();
      assert.ok(row.secret_sealed && !row.secret_sealed.includes(secret));
      assert.throws(() => open(t.deps.masterKey, row.secret_sealed as string, "party_channel:other:webhook"));

      const rotated = await agent.request(
        "POST",
        `/api/v1/parties/${party.id}/channels/${channelId}/secret`,
        {},
      );
      assert.equal(rotated.statusCode, 200, rotated.body);
      const secret2 = rotated.json().secret as string;
      assert.notEqual(secret2, secret);
      assert.equal(await parties.webhookSecret(t.deps, channelId), secret2);
      const mailRotate = await agent.request(
        "POST",
        `/api/v1/parties/${party.id}/channels/${mail.json().channel.id}/secret`,
        {},
      );
      assert.equal(mailRotate.statusCode, 409);

      // Changing the address keeps the secret.
      const moved = await agent.request("PATCH", `/api/v1/parties/${party.id}/channels/${channelId}`, {
        address: "https://hooks.snapgram.example/v2",
      });
      assert.equal(moved.statusCode, 200, moved.body);
      assert.equal(await parties.webhookSecret(t.deps, channelId), secret2);

      const events = await auditEvents(org.id);
      const text = JSON.stringify(events);
      assert.ok(!text.includes(secret) && !text.includes(secret2), "no secret in the audit log");
      assert.ok(!text.includes("token=abc"), "webhook URLs are audited by origin only");
      assert.ok(
        events.some(
          (e) =>
            e.action === "parties.channel_added" &&
            (e.data as Record<string, unknown>).secretCreated === true,
        ),
      );
      assert.ok(events.some((e) => e.action === "parties.channel_secret_rotated"));
    });

    it("checks channel addresses: e-mail, https webhooks and forms (plain http only in test mode)", async () => {
      const { agent, user, org } = await admin();
      const party = await createParty(agent, { name: "Kletsbox" });
      const add = (kind: string, address: string) =>
        agent.request("POST", `/api/v1/parties/${party.id}/channels`, { kind, address });
      for (const [kind, address] of [
        ["email", "not an address"],
        ["email", "a@b"],
        ["email", "x@exa mple.org"],
        ["webhook", "ftp://files.example/x"],
        ["webhook", "https://user:pw@hooks.example/x"],
        ["webhook", "https://hooks.example/a;b"],
        ["webform", "javascript:alert(1)"],
        ["webform", "not a url"],
        ["sms", "+31600000000"],
      ] as const) {
        const res = await add(kind, address);
        assert.equal(res.statusCode, 422, `${kind} ${address}: ${res.body}`);
      }
      assert.equal((await add("webform", "https://kletsbox.example/melden")).statusCode, 201);
      assert.equal(
        (await add("webform", "https://kletsbox.example/melden")).statusCode,
        409,
        "no duplicates",
      );
      // Test mode lets fixture servers on loopback be webhooks; outside it only https to a public name.
      assert.equal((await add("webhook", "http://127.0.0.1:9999/hook")).statusCode, 201);
      const strict = { ...t.deps, config: { ...t.deps.config, env: "development" as const } };
      const principal = {
        kind: "user" as const,
        userId: user.id,
        organisationId: org.id,
        organisationKind: "hotline" as const,
        role: "admin" as const,
        permissions: new Set(["parties:read", "parties:manage"] as const),
        sessionId: "x",
      };
      for (const address of [
        "http://hooks.kletsbox.example/x",
        "https://127.0.0.1/hook",
        "https://localhost/x",
      ])
        await assert.rejects(
          parties.addChannel(strict, principal, party.id, { kind: "webhook", address }),
          (e: { code?: string }) => e.code === "validation_failed",
          address,
        );
      const ok = await parties.addChannel(strict, principal, party.id, {
        kind: "webhook",
        address: "https://hooks.kletsbox.example/x",
      });
      assert.ok(ok.secret);
    });

    it("orders delivery channels, marks failures, falls back and resets", async () => {
      const { agent, org } = await admin();
      const party = await createParty(agent, { name: "Betaalmuur" });
      const add = async (kind: string, address: string, priority: number) =>
        (
          await agent.request("POST", `/api/v1/parties/${party.id}/channels`, { kind, address, priority })
        ).json().channel.id as string;
      const second = await add("email", "second@betaalmuur.example", 20);
      const first = await add("email", "first@betaalmuur.example", 10);
      const third = await add("webform", "https://betaalmuur.example/form", 30);
      const order = async () => (await parties.deliveryChannels(t.deps.db, party.id)).map((c) => c.id);
      assert.deepEqual(await order(), [first, second, third]);

      const at = new Date("2026-03-01T10:00:00Z");
      await t.deps.db.transaction().execute(async (tx) => {
        await parties.markChannelFailed(tx, first, `550 5.1.1 mailbox unknown\u0000${"x".repeat(3000)}`, at);
        await parties.markChannelFailed(tx, first, "550 again", new Date(at.getTime() + 60_000));
      });
      assert.deepEqual(await order(), [second, third, first], "a failing channel is tried last");
      const failing = (await parties.deliveryChannels(t.deps.db, party.id)).find((c) => c.id === first);
      assert.equal(failing?.failures, 2);
      assert.equal(failing?.failingSince?.toISOString(), at.toISOString(), "failing since the first failure");
      assert.equal(failing?.lastFailure, "550 again");

      const listed = (await agent.request("GET", "/api/v1/parties")).json().items[0];
      assert.equal(listed.failingChannels, 1);
      const shown = (await agent.request("GET", `/api/v1/parties/${party.id}`)).json().channels;
      assert.equal(shown.find((c: { id: string }) => c.id === first).failing, true);

      await t.deps.db.transaction().execute((tx) => parties.markChannelHealthy(tx, first));
      assert.deepEqual(await order(), [first, second, third]);
      const healthy = (await parties.deliveryChannels(t.deps.db, party.id)).find((c) => c.id === first);
      assert.equal(healthy?.failures, 0);
      assert.equal(healthy?.lastFailure, "550 again", "the last error stays on record");

      await t.deps.db.transaction().execute((tx) => parties.markChannelFailed(tx, second, "timeout", at));
      const reset = await agent.request("POST", `/api/v1/parties/${party.id}/channels/${second}/reset`, {
        reason: "address fixed",
      });
      assert.equal(reset.statusCode, 200, reset.body);
      assert.equal(reset.json().failing, false);
      assert.equal(reset.json().lastFailure, null);
      assert.ok((await auditEvents(org.id)).some((e) => e.action === "parties.channel_reset"));

      const moved = await agent.request("PATCH", `/api/v1/parties/${party.id}/channels/${third}`, {
        priority: 1,
      });
      assert.equal(moved.json().priority, 1);
      assert.equal((await order())[0], third);
      const removed = await agent.request("DELETE", `/api/v1/parties/${party.id}/channels/${third}`);
      assert.equal(removed.statusCode, 204);
      assert.deepEqual(await order(), [first, second]);

      assert.equal((await parties.getParty(t.deps.db, org.id, party.id))?.name, "Betaalmuur");
      const other = await admin();
      assert.equal(await parties.getParty(t.deps.db, other.org.id, party.id), undefined);
    });

    it("lets analysts and auditors read, not manage; other organisations get 404; platforms 403", async () => {
      const owner = await admin();
      const party = await createParty(owner.agent, { name: "Plakbord" });
      const hook = await owner.agent.request("POST", `/api/v1/parties/${party.id}/channels`, {
        kind: "email",
        address: "abuse@plakbord.example",
      });
      const channelId = hook.json().channel.id as string;
      const matcher = await owner.agent.request("POST", `/api/v1/parties/${party.id}/matchers`, {
        kind: "domain",
        value: "plakbord.example",
      });
      const matcherId = matcher.json().id as string;

      const analystUser = await makeUser(t.deps, owner.org.id, "analyst");
      const analyst = await login(t, analystUser.email);
      assert.equal((await analyst.request("GET", "/api/v1/parties")).statusCode, 200);
      assert.equal((await analyst.request("GET", `/api/v1/parties/${party.id}`)).statusCode, 200);
      assert.equal((await analyst.request("GET", "/api/v1/parties.csv")).statusCode, 200);
      const writes: [string, string, unknown][] = [
        ["POST", "/api/v1/parties", { name: "X", kind: "platform" }],
        ["PATCH", `/api/v1/parties/${party.id}`, { name: "Y" }],
        ["POST", `/api/v1/parties/${party.id}/archive`, {}],
        ["POST", `/api/v1/parties/${party.id}/matchers`, { kind: "domain", value: "x.example" }],
        ["DELETE", `/api/v1/parties/${party.id}/matchers/${matcherId}`, undefined],
        ["POST", `/api/v1/parties/${party.id}/channels`, { kind: "email", address: "a@x.example" }],
        ["PATCH", `/api/v1/parties/${party.id}/channels/${channelId}`, { priority: 1 }],
        ["DELETE", `/api/v1/parties/${party.id}/channels/${channelId}`, undefined],
        ["POST", `/api/v1/parties/${party.id}/channels/${channelId}/reset`, {}],
        ["POST", `/api/v1/parties/${party.id}/channels/${channelId}/secret`, {}],
        ["POST", "/api/v1/parties/import", { csv: "name,kind\nX,platform\n" }],
      ];
      for (const [method, url, body] of writes)
        assert.equal((await analyst.request(method, url, body)).statusCode, 403, `${method} ${url}`);

      const auditorUser = await makeUser(t.deps, owner.org.id, "auditor");
      const auditor = await login(t, auditorUser.email);
      assert.equal((await auditor.request("GET", `/api/v1/parties/${party.id}`)).statusCode, 200);
      assert.equal(
        (await auditor.request("POST", "/api/v1/parties", { name: "Z", kind: "other" })).statusCode,
        403,
      );

      // Another hotline's admin sees nothing of it, and changes nothing.
      const stranger = await admin();
      const reads = [`/api/v1/parties/${party.id}`];
      for (const url of reads) assert.equal((await stranger.agent.request("GET", url)).statusCode, 404);
      for (const [method, url, body] of writes.slice(1, -1)) {
        const res = await stranger.agent.request(method, url, body);
        assert.equal(res.statusCode, 404, `${method} ${url}: ${res.body}`);
      }
      assert.equal((await stranger.agent.request("GET", "/api/v1/parties")).json().items.length, 0);
      assert.ok(!(await stranger.agent.request("GET", "/api/v1/parties.csv")).body.includes("Plakbord"));
      // The stranger's own import creates its own party, even with the same name.
      const imported = await stranger.agent.request("POST", "/api/v1/parties/import", {
        csv: "name,kind,domains\nPlakbord,platform,plakbord.example\n",
      });
      assert.equal(imported.json().created, 1, imported.body);
      assert.equal(
        (await owner.agent.request("GET", `/api/v1/parties/${party.id}`)).json().matchers.length,
        1,
      );
      // A channel or matcher of the stranger's own party cannot reach the owner's party.
      const strangerParty = imported.json().results[0].id as string;
      assert.equal(
        (await stranger.agent.request("DELETE", `/api/v1/parties/${strangerParty}/channels/${channelId}`))
          .statusCode,
        404,
      );
      assert.equal(
        (await stranger.agent.request("DELETE", `/api/v1/parties/${strangerParty}/matchers/${matcherId}`))
          .statusCode,
        404,
      );

      // A platform organisation's agent has no registry.
      const agentUser = await userAgent(t, "platform", "platform_agent");
      assert.equal((await agentUser.agent.request("GET", "/api/v1/parties")).statusCode, 403);
      assert.equal((await agentUser.agent.request("GET", `/api/v1/parties/${party.id}`)).statusCode, 403);
      assert.equal((await t.app.inject({ method: "GET", url: "/api/v1/parties" })).statusCode, 401);

      // A token with parties:read reads, and cannot manage.
      const token = await owner.agent.request("POST", "/api/v1/tokens", {
        name: "registry",
        scopes: ["parties:read"],
      });
      assert.equal(token.statusCode, 201, token.body);
      const bearer = { authorization: `Bearer ${token.json().token}` };
      assert.equal(
        (await t.app.inject({ method: "GET", url: "/api/v1/parties", headers: bearer })).statusCode,
        200,
      );
      const denied = await t.app.inject({
        method: "POST",
        url: "/api/v1/parties",
        headers: bearer,
        payload: { name: "T", kind: "other" },
      });
      assert.equal(denied.statusCode, 403);
      assert.equal(denied.json().type, "https://vangrail.org/problems/insufficient-scope");
    });

    it("exports CSV with formulas escaped, and imports it back unchanged", async () => {
      const { agent, org } = await admin();
      const party = await createParty(agent, {
        name: '=HYPERLINK("http://evil.example","x")',
        notes: '+1 line\nsecond, with comma and "quotes"',
        dsc: "@dsc",
        languages: ["nl", "en"],
        responseHours: 12,
        veryLarge: true,
        country: "NL",
      });
      await agent.request("POST", `/api/v1/parties/${party.id}/matchers`, {
        kind: "domain",
        value: "evil.example",
      });
      await agent.request("POST", `/api/v1/parties/${party.id}/matchers`, { kind: "asn", value: "64501" });
      await agent.request("POST", `/api/v1/parties/${party.id}/channels`, {
        kind: "email",
        address: "-abuse@evil.example",
        priority: 5,
      });
      const hook = await agent.request("POST", `/api/v1/parties/${party.id}/channels`, {
        kind: "webhook",
        address: "https://hooks.evil.example/n",
        priority: 7,
      });
      const secret = hook.json().secret as string;
      await createParty(agent, { name: "'-already quoted", kind: "other" });
      await createParty(agent, { name: "Archived one", kind: "other" }).then((p) =>
        agent.request("POST", `/api/v1/parties/${p.id}/archive`, {}),
      );

      const res = await agent.request("GET", "/api/v1/parties.csv");
      assert.equal(res.statusCode, 200);
      assert.match(res.headers["content-type"] as string, /^text\/csv/);
      assert.match(res.headers["content-disposition"] as string, /attachment/);
      const csv = res.body;
      // No cell starts with a formula character.
      for (const cell of csv.split(/[,\r\n]/)) assert.ok(!/^"?[=+\-@]/.test(cell), `unescaped cell ${cell}`);
      assert.ok(csv.includes(`"'=HYPERLINK(""http://evil.example"",""x"")"`));
      assert.ok(csv.includes("'@dsc"));
      assert.ok(csv.includes("''-already quoted"));
      assert.ok(csv.includes("email:-abuse@evil.example;webhook:https://hooks.evil.example/n"));
      assert.ok(!csv.includes(secret));

      const again = await agent.request("POST", "/api/v1/parties/import", csv, {
        "content-type": "text/csv",
      });
      assert.equal(again.statusCode, 200, again.body);
      assert.deepEqual(
        again.json().results.map((r: { action: string }) => r.action),
        ["unchanged", "unchanged", "unchanged"],
        again.body,
      );
      // The webhook was kept (same secret), nothing was rewritten.
      const channel = (await agent.request("GET", `/api/v1/parties/${party.id}`)).json().channels[1];
      assert.equal(await parties.webhookSecret(t.deps, channel.id), secret);
      const exported = (await auditEvents(org.id)).filter((e) => e.action === "parties.exported");
      assert.equal(exported.length, 1);
      assert.equal((await agent.request("GET", "/api/v1/parties.csv")).body, csv, "the round trip is exact");
    });

    it("imports idempotently by name with one result per row", async () => {
      const { agent, org } = await admin();
      const existing = await createParty(agent, { name: "Snapgram Ltd", country: "IE", dsc: "CnaM" });
      await agent.request("POST", `/api/v1/parties/${existing.id}/matchers`, { kind: "asn", value: "64502" });
      const csv = [
        "Name,KIND,country,very_large,languages,domains,channels,notes",
        'snapgram ltd,platform,IE,yes,en;nl,snapgram.example;*.sgcdn.example,"email:dsa@snapgram.example; webhook:https://api.snapgram.example/n","multi',
        'line note"',
        "Fotodeel B.V.,platform,NL,no,nl,fotodeel.example,email:abuse@fotodeel.example,",
        "Bad Country,platform,XX,no,nl,,,",
        "Bad Domain,platform,NL,no,nl,exa mple.org,,",
        "Bad Channel,platform,NL,no,nl,,fax:123,",
        "Bad Bool,platform,NL,maybe,nl,,,",
        "fotodeel b.v.,platform,NL,no,nl,,,",
        "Taken Domain,platform,NL,no,nl,fotodeel.example,,",
        ",platform,NL,no,nl,,,",
        "Too,many,cells,no,nl,,,,,,",
        "",
        "Wolkhost,hosting,,,,,,",
      ].join("\r\n");
      const res = await agent.request("POST", "/api/v1/parties/import", csv, { "content-type": "text/csv" });
      assert.equal(res.statusCode, 200, res.body);
      const out = res.json();
      const byLine = Object.fromEntries(out.results.map((r: { line: number }) => [r.line, r])) as Record<
        number,
        {
          ok: boolean;
          action?: string;
          error?: string;
          code?: string;
          params?: Record<string, string>;
          secrets?: { secret: string }[];
        }
      >;
      assert.equal(byLine[2]?.action, "updated");
      assert.equal(byLine[2]?.secrets?.length, 1, "the new webhook's secret, once");
      assert.equal(byLine[4]?.action, "created");
      assert.match(byLine[5]?.error ?? "", /^country:/);
      assert.match(byLine[6]?.error ?? "", /domain name|host name/i);
      assert.match(byLine[7]?.error ?? "", /channels/);
      assert.match(byLine[8]?.error ?? "", /very_large/);
      assert.match(byLine[9]?.error ?? "", /same party as line 4/);
      assert.match(byLine[10]?.error ?? "", /already points to "Fotodeel B.V."/);
      assert.match(byLine[11]?.error ?? "", /^name:/);
      assert.match(byLine[12]?.error ?? "", /cells/);
      // Stable codes beside the English sentence, for the web app to translate.
      assert.deepEqual([byLine[9]?.code, byLine[9]?.params], ["duplicate_row", { line: "4" }]);
      assert.equal(byLine[10]?.code, "conflict");
      assert.equal(byLine[5]?.code, "invalid_value");
      assert.equal(byLine[12]?.code, "too_many_cells");
      assert.equal(byLine[14]?.action, "created");
      assert.deepEqual([out.created, out.updated, out.unchanged, out.failed], [2, 1, 0, 8]);

      const snap = (await agent.request("GET", `/api/v1/parties/${existing.id}`)).json();
      assert.equal(snap.name, "Snapgram Ltd", "the existing name's spelling is kept");
      assert.equal(snap.veryLarge, true);
      assert.equal(snap.dsc, "CnaM", "a column that is absent is left alone");
      assert.equal(snap.notes, "multi\nline note");
      assert.deepEqual(snap.languages, ["en", "nl"]);
      assert.deepEqual(
        snap.matchers.map((m: { kind: string; value: string }) => `${m.kind}:${m.value}`).sort(),
        ["asn:64502", "domain:*.sgcdn.example", "domain:snapgram.example"],
        "matcher kinds without a column are kept",
      );
      assert.deepEqual(
        snap.channels.map((c: { kind: string; priority: number }) => `${c.kind}:${c.priority}`),
        ["email:10", "webhook:20"],
      );
      const wolk = (await agent.request("GET", "/api/v1/parties?q=wolkhost")).json().items[0];
      assert.deepEqual(wolk.languages, ["en"]);
      assert.equal(wolk.country, null);

      // The same file again changes nothing and creates no new secrets.
      const second = (
        await agent.request("POST", "/api/v1/parties/import", csv, { "content-type": "text/csv" })
      ).json();
      assert.deepEqual([second.created, second.updated, second.unchanged], [0, 0, 3], JSON.stringify(second));
      assert.ok(second.results.every((r: { secrets?: unknown }) => r.secrets === undefined));

      // An empty cell clears; dropping a channel removes it.
      const clear = await agent.request("POST", "/api/v1/parties/import", {
        csv: "name,kind,channels,domains\nSnapgram Ltd,platform,email:dsa@snapgram.example,\n",
      });
      assert.equal(clear.json().updated, 1, clear.body);
      const cleared = (await agent.request("GET", `/api/v1/parties/${existing.id}`)).json();
      assert.deepEqual(
        cleared.matchers.map((m: { value: string }) => m.value),
        ["64502"],
      );
      assert.equal(cleared.channels.length, 1);

      const events = await auditEvents(org.id);
      const imports = events.filter((e) => e.action === "parties.imported");
      assert.equal(imports.length, 3);
      assert.ok(!JSON.stringify(events).includes(byLine[2]?.secrets?.[0]?.secret ?? "-"));
    });

    it("refuses hostile CSV files: not UTF-8, too large, too many rows, bad headers; huge cells per row", async () => {
      const { agent, org } = await admin();
      const post = (body: string | Buffer, type = "text/csv") =>
        agent.request("POST", "/api/v1/parties/import", body, { "content-type": type });
      const latin1 = Buffer.concat([
        Buffer.from("name,kind\nCaf"),
        Buffer.from([0xe9]),
        Buffer.from(",platform\n"),
      ]);
      const notUtf8 = await post(latin1);
      assert.equal(notUtf8.statusCode, 422, notUtf8.body);
      assert.match(notUtf8.json().errors[0].message, /UTF-8/);
      assert.equal(notUtf8.json().errors[0].pointer, "/csv");
      const bom = await post(
        Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("name,kind\nBOM B.V.,platform\n")]),
      );
      assert.equal(bom.json().created, 1, bom.body);

      const big = await post(`name,kind\n${"x".repeat(limits.partyImportBytesMax + 100)}`);
      assert.equal(big.statusCode, 413);
      const rows = `name,kind\n${Array.from({ length: limits.partyImportRowsMax + 1 }, (_, i) => `P${i},other`).join("\n")}`;
      const many = await post(rows);
      assert.equal(many.statusCode, 422);
      assert.match(many.json().errors[0].message, /At most/);
      assert.equal((await post("name,kind,password\nA,platform,x\n")).statusCode, 422);
      assert.equal((await post("name,name,kind\nA,A,platform\n")).statusCode, 422);
      assert.equal((await post("name\nA\n")).statusCode, 422);
      assert.equal((await post("")).statusCode, 422);
      assert.equal((await post("name,kind\nA,platform\n", "text/plain")).statusCode, 415);

      const huge = `name,kind,notes\nHuge,platform,"${"n".repeat(limits.partyCsvCellMax + 10)}"\nFine,platform,ok\n`;
      const hugeRes = await post(huge);
      assert.equal(hugeRes.statusCode, 200, hugeRes.body);
      assert.match(hugeRes.json().results[0].error, /longer than/);
      assert.equal(hugeRes.json().results[1].action, "created");
      const unterminated = await post('name,kind\n"Never closed,platform\nNext,platform\n');
      assert.equal(unterminated.statusCode, 200);
      assert.equal(unterminated.json().failed, 1);

      const hostile = await post(
        `name,kind,notes,channels\n"${HOSTILE}",platform,"bell\u0007",\nCtrl,platform,,"webform:javascript:alert(1)"\nBidi,platform,"\u202e",\n`,
      );
      const r = hostile.json().results;
      assert.equal(r[0].ok, false);
      assert.match(r[0].error, /notes/);
      assert.equal(r[1].ok, false);
      assert.equal(r[2].ok, false);
      // Nothing of the refused rows was stored.
      const names = (await agent.request("GET", "/api/v1/parties"))
        .json()
        .items.map((p: { name: string }) => p.name);
      assert.deepEqual(names.sort(), ["BOM B.V.", "Fine"]);
      assert.ok((await auditEvents(org.id)).some((e) => e.action === "parties.imported"));
    });

    it("seeds the fictional demo parties through the service, again without duplicates", async () => {
      const org = (await admin()).org;
      const first = await seedDemoParties(t.deps, org.id);
      assert.ok(first.every((r) => r.action === "created"));
      const kinds = new Set(demoParties.map((p) => p.kind));
      for (const k of ["platform", "hosting", "registrar", "registry", "payment"])
        assert.ok(kinds.has(k as never), k);
      for (const p of demoParties) {
        for (const m of p.matchers)
          if (m.kind === "domain")
            assert.match(m.value, /\.(example|test)$/, `${p.name} uses a reserved domain`);
        for (const c of p.channels)
          assert.match(c.address, /\.(example|test)(\/|$)/, `${p.name} ${c.address}`);
      }
      assert.ok(
        first.some((r) => r.secrets.length === 1),
        "the demo webhook got a secret",
      );
      const second = await seedDemoParties(t.deps, org.id);
      assert.ok(
        second.every((r) => r.action === "unchanged"),
        JSON.stringify(second),
      );
      const found = await parties.partyByMatcher(t.deps.db, org.id, "tld", "test");
      assert.equal(found?.party.kind, "registry");
      const viaCdn = await parties.partyByMatcher(t.deps.db, org.id, "domain", "img.fotodeel-cdn.example");
      assert.equal(viaCdn?.party.name, "Fotodeel B.V.");
    });

    it("vangrail demo fills the demo hotline's registry", async () => {
      await seedDemo(t.deps);
      await seedDemo(t.deps);
      const hotline = await t.deps.db
        .selectFrom("organisations")
        .select("id")
        .where("name", "=", "Demo Meldpunt (fictief)")
        .executeTakeFirstOrThrow();
      const rows = await t.deps.db
        .selectFrom("parties")
        .select("name")
        .where("organisation_id", "=", hotline.id)
        .execute();
      assert.equal(rows.length, demoParties.length);
    });

    it("re-seals webhook secrets under a new master key", async () => {
      const { agent } = await admin();
      const party = await createParty(agent, { name: "Rotating" });
      const hook = await agent.request("POST", `/api/v1/parties/${party.id}/channels`, {
        kind: "webhook",
        address: "https://hooks.rotating.example/n",
      });
      const secret = hook.json().secret as string;
      const channelId = hook.json().channel.id as string;
      const oldKey = t.deps.masterKey;
      const rotated = {
        ...t.deps,
        masterKey: randomBytes(32),
        config: { ...t.deps.config, evidence: { ...t.deps.config.evidence, previousMasterKeys: [oldKey] } },
      };
      assert.equal(await parties.webhookSecret(rotated, channelId), secret, "opens with the previous key");
      const r = await parties.resealWebhookSecrets(rotated);
      assert.ok(r.resealed >= 1);
      assert.deepEqual(r.failed, []);
      const retired = {
        ...rotated,
        config: { ...rotated.config, evidence: { ...rotated.config.evidence, previousMasterKeys: [] } },
      };
      assert.equal(await parties.webhookSecret(retired, channelId), secret);
      await assert.rejects(parties.webhookSecret(t.deps, channelId), /cannot be opened/);
    });

    it("imports through the service with the operator principal (the CLI's path)", async () => {
      const org = (await admin()).org;
      const by = parties.operatorFor(org.id);
      const out = await importPartiesCsv(t.deps, by, "name,kind,tlds\nRegistry,registry,.Test\n", {
        source: "cli",
      });
      assert.equal(out[0]?.action, "created");
      const events = await auditEvents(org.id);
      const created = events.find((e) => e.action === "parties.created");
      assert.equal(created?.actorType, "system");
      assert.equal((created?.data as Record<string, unknown> | undefined)?.source, "cli");
    });
  });
}

describe("party registry: secrets stay out of the logs", () => {
  it("logs no webhook secret at the most verbose level", async () => {
    const backend = backends[0];
    assert.ok(backend);
    const t = await startApp(backend);
    let logged = "";
    const sink = new Writable({
      write(chunk, _enc, done) {
        logged += chunk.toString();
        done();
      },
    });
    const app = await buildApp({
      deps: t.deps,
      logger: { level: "trace", stream: sink },
      setupCode: () => undefined,
      ready: async () => ({ database: true, queue: true }),
    });
    try {
      // Sessions live in the database: the agent's cookie works on the verbose app too.
      const { org, agent } = await userAgent(t, "hotline", "admin");
      const created = await parties.createParty(t.deps, parties.operatorFor(org.id), {
        name: "Logged",
        kind: "platform",
      });
      const sessionCookie = agent.cookie;
      const hook = await app.inject({
        method: "POST",
        url: `/api/v1/parties/${created.id}/channels`,
        headers: { cookie: sessionCookie, "x-csrf-token": agent.csrf },
        payload: { kind: "webhook", address: "https://hooks.logged.example/n" },
      });
      assert.equal(hook.statusCode, 201, hook.body);
      const secret = hook.json().secret as string;
      await app.inject({
        method: "GET",
        url: `/api/v1/parties/${created.id}`,
        headers: { cookie: sessionCookie },
      });
      assert.ok(logged.length > 0, "the app logged");
      assert.ok(!logged.includes(secret), "the secret is not in the log");
    } finally {
      await app.close();
      await t.close();
    }
  });
});
