// `vangrail worker`: background workers only, to scale out beside `serve` replicas.
import { parse } from "./args.ts";
import { boot } from "./runtime.ts";

const help = `Usage: vangrail worker

Runs the background jobs (schedules, deliveries, checks) against the same database as serve.
With the embedded database only one process may run: use DATABASE_URL for separate workers.`;

export async function run(argv: string[]): Promise<number> {
  if (!parse(argv, {}, help)) return 0;
  const rt = await boot({ queue: true });
  await rt.queue?.work();
  rt.logger.info({ database: rt.handle.kind }, "worker started");
  await new Promise<void>((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
  await rt.close();
  return 0;
}
