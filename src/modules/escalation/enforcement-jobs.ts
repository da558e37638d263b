// Handlers of the enforcement jobs: the Awb clock, dossier rendering and filing e-mails.
import type { JobRegistry } from "../../platform/queue.ts";
import type { Deps } from "../deps.ts";
import { renderPendingDossiers } from "./dossier.ts";
import { deliverFilingEmails, runClock } from "./enforcement.ts";
import { clockJob, dossierJob, emailJob } from "./enforcement-jobspecs.ts";

export function registerEnforcementJobs(registry: JobRegistry, deps: Deps): void {
  registry.handle(clockJob, async () => ({ ...(await runClock(deps)) }));
  registry.handle(dossierJob, async () => ({ ...(await renderPendingDossiers(deps)) }));
  registry.handle(emailJob, async () => ({ ...(await deliverFilingEmails(deps)) }));
}
