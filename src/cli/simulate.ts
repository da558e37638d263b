// `vangrail demo --simulate`: the simulated world (see modules/demo/simulation). Boots Vangrail
// on the configured data folder with an accelerated clock that starts `days` ago and ends now,
// so what it leaves looks like recent history that `serve` and the reports can show.
import { buildAttributionEnv, setAttributionEnv } from "../modules/attribution/env.ts";
import { attributeItems } from "../modules/attribution/service.ts";
import { seedDemo } from "../modules/demo/service.ts";
import { preparePeers, registerSimParty, simulate } from "../modules/demo/simulation/run.ts";
import { closeNoticeEnv } from "../modules/notices/service.ts";
import { ManualClock } from "../platform/clock.ts";
import { ConfigError, loadConfig, readDotEnv } from "../platform/config.ts";
import { loopbackAllowed } from "../platform/fetcher/guard.ts";
import { boot } from "./runtime.ts";

export interface SimulateCliOptions {
  days: number;
  reportDays: number;
  seed: number;
  reportsPerDay: number;
  json: boolean;
}

export async function runSimulation(o: SimulateCliOptions): Promise<number> {
  const env = { ...readDotEnv(), ...process.env };
  if (env.NODE_ENV === "production")
    throw new ConfigError(["NODE_ENV: the simulation is refused in production"]);
  // The simulated world lives on loopback addresses; the fetcher's guard lets them through
  // only in this mode, which production refuses above.
  process.env.VANGRAIL_TEST_MODE = "1";
  if (!loopbackAllowed()) throw new ConfigError(["the simulation needs loopback access (not in production)"]);
  const dataDir = loadConfig(env).dataDir;
  const peers = await preparePeers(dataDir);
  const config = loadConfig({ ...env, ...peers.env, LOG_LEVEL: env.LOG_LEVEL ?? "warn" });
  const clock = new ManualClock(new Date(Date.now() - o.days * 86_400_000));
  const rt = await boot({ config, clock });
  try {
    setAttributionEnv(
      rt.deps,
      buildAttributionEnv(rt.deps, {
        bootstrapDir: peers.env.RDAP_BOOTSTRAP_DIR,
        resolver: async (host) => peers.resolve(host),
        fetcher: { allowLoopback: true },
        loopbackHosts: true,
      }),
    );
    const accounts = await seedDemo(rt.deps);
    const hotline = await rt.deps.db
      .selectFrom("organisations")
      .select("id")
      .where("name", "=", "Demo Meldpunt (fictief)")
      .executeTakeFirstOrThrow();
    await rt.deps.db
      .updateTable("organisations")
      .set({
        notice_email: "meldpunt@meldpunt.demo.example",
        trusted_flagger: true,
        trusted_flagger_area: "online seksueel geweld / online sexual violence (fictional designation)",
      })
      .where("id", "=", hotline.id)
      .execute();
    const summary = await simulate(
      rt.deps,
      clock,
      config,
      peers,
      {
        registerParty: registerSimParty,
        attribute: async (deps, org, ids) => {
          await attributeItems(deps, org, ids);
        },
      },
      hotline.id,
      {
        days: o.days,
        reportDays: o.reportDays,
        seed: o.seed,
        reportsPerDay: o.reportsPerDay,
        progress: o.json ? undefined : (d, n) => process.stderr.write(`\r  simulating day ${d} of ${n}…`),
      },
    );
    if (o.json) console.log(JSON.stringify(summary));
    else {
      process.stderr.write("\n");
      console.log(JSON.stringify(summary, null, 2));
      console.log(`\n  Messages sent: ${peers.mailDir}`);
      console.log("  Demo logins:");
      for (const a of accounts) console.log(`    ${a.email.padEnd(36)} ${a.password}   ${a.role}`);
    }
    return 0;
  } finally {
    closeNoticeEnv(rt.deps);
    await rt.close();
    await peers.close();
  }
}
