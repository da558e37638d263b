// `vangrail serve`: the HTTP API, the web UI and the background workers in one process.

import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { buildApp } from "../http/app.ts";
import { seedDemo } from "../modules/demo/service.ts";
import { setupNeeded } from "../modules/identity/service.ts";
import { parse } from "./args.ts";
import { printDemoAccounts } from "./demo.ts";
import { boot } from "./runtime.ts";
import { ensureWebBuild, WEB_DIST } from "./web-build.ts";

const help = `Usage: vangrail serve [--demo] [--build-web-if-missing]

Starts Vangrail: API under /api/v1, web UI, health checks, and (unless WORKERS_IN_SERVE=false)
the background workers. Applies pending migrations first.

  --demo                   seed fictional demo organisations and users; print their passwords
  --build-web-if-missing   build the front end into dist/web when it is not there yet`;

/** A code like ABCD-EFGH-JKLM: needed on the first-run page, so only someone with the log can claim it. */
const newSetupCode = () => {
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  const bytes = randomBytes(12);
  const chars = [...bytes].map((b) => alphabet[b % alphabet.length]).join("");
  return chars.replace(/(.{4})(?=.)/g, "$1-");
};

export async function run(argv: string[]): Promise<number> {
  const t0 = performance.now();
  const a = parse(argv, { demo: { type: "boolean" }, "build-web-if-missing": { type: "boolean" } }, help);
  if (!a) return 0;
  const rt = await boot({ queue: true });
  const { config, logger, deps } = rt;
  if (a.values["build-web-if-missing"]) ensureWebBuild((m) => logger.info(m));

  if (a.values.demo) printDemoAccounts(await seedDemo(deps));

  let setupCode = config.setupCode;
  if (!setupCode && (await setupNeeded(deps))) {
    setupCode = newSetupCode();
    console.log(`\n  First run: open ${config.publicUrl}/setup and enter the setup code ${setupCode}\n`);
  }

  const app = await buildApp({
    deps,
    setupCode: () => setupCode,
    webDir: WEB_DIST,
    ready: async () => {
      const database = await deps.db
        .selectFrom("schema_migrations")
        .select("version")
        .limit(1)
        .execute()
        .then(
          () => true,
          () => false,
        );
      return { database, queue: rt.queue ? await rt.queue.ping() : false };
    },
  });
  await app.listen({ host: config.host, port: config.port });
  if (config.workersInServe) await rt.queue?.work();
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  logger.info(
    {
      port,
      startupMs: Math.round(performance.now() - t0),
      database: rt.handle.kind,
      workers: config.workersInServe,
    },
    `Vangrail listening on http://${config.host}:${port}`,
  );

  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info({ signal }, "shutting down");
      resolve();
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await app.close();
  await rt.close();
  return 0;
}
