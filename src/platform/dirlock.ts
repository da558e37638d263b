// An exclusive lock on a data folder. PGlite keeps one backend in one process: a second
// process opening the same files would corrupt them, so it is refused with a clear message.
import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";

export interface DirLock {
  release(): void;
}

export class DirLockedError extends Error {
  readonly pid: number;
  constructor(dir: string, pid: number) {
    super(
      `The data folder ${dir} is in use by another Vangrail process (pid ${pid}). ` +
        "The embedded database allows one process; stop it, or set DATABASE_URL to use PostgreSQL for several.",
    );
    this.name = "DirLockedError";
    this.pid = pid;
  }
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
};

export function acquireDirLock(dir: string, name: string): DirLock {
  const file = join(dir, `${name}.lock`);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, "wx", 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let held = true;
      const release = () => {
        if (!held) return;
        held = false;
        rmSync(file, { force: true });
        process.off("exit", release);
      };
      process.on("exit", release);
      return { release };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const pid = Number.parseInt(readFileSync(file, "utf8"), 10);
      if (Number.isInteger(pid) && pid > 0 && alive(pid)) {
        throw new DirLockedError(dir, pid);
      }
      // A lock left by a process that died: take it over.
      rmSync(file, { force: true });
    }
  }
  throw new Error(`could not lock ${file}`);
}
