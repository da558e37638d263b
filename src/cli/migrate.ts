// `vangrail migrate`: apply pending migrations (serve does this too on start).
import { loadConfig } from "../platform/config.ts";
import { openDatabase } from "../platform/db.ts";
import { migrate } from "../platform/migrate.ts";
import { parse } from "./args.ts";

const help = `Usage: vangrail migrate

Applies every pending migration in migrations/ under an advisory lock; safe to run from
several processes at once. Uses DATABASE_URL, or the embedded database in VANGRAIL_DATA_DIR.`;

export async function run(argv: string[]): Promise<number> {
  if (!parse(argv, {}, help)) return 0;
  const config = loadConfig();
  const handle = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolMax: 2 });
  try {
    const r = await migrate(handle.pool);
    console.log(
      r.applied.length > 0
        ? `applied ${r.applied.length} migration(s): ${r.applied.join(", ")}`
        : `database is up to date (version ${r.current})`,
    );
    return 0;
  } finally {
    await handle.close();
  }
}
