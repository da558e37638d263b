// `vangrail hash [--json] [--dihedral] FILE...`: PDQ (with quality), MD5 and SHA-256 of image
// files, one line per file in the order given. A file that cannot be read or decoded gives a
// line with `error` and the command goes on; the exit code is 1 at the end if any file failed.
// Needs no database and no configuration.
import { readFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { hashImage, PIPELINE_ID } from "../modules/hashing/image.ts";
import { DIHEDRAL_NAMES } from "../modules/hashing/pdq-core.ts";
import { parse } from "./args.ts";

const help = `Usage: vangrail hash [--json] [--dihedral] FILE...

Prints the PDQ hash (64 hex), its quality (0-100; below 50 too featureless to match on), and
the MD5 and SHA-256 of each file's bytes. Pipeline: ${PIPELINE_ID}.

  --json       one JSON object per line: {"file","pdq","quality","md5","sha256"}
  --dihedral   also the eight dihedral hashes (${DIHEDRAL_NAMES.join(", ")})

A file that cannot be read or decoded gives a line with "error"; the exit code is then 1.`;

type Line =
  | { file: string; pdq: string; quality: number; md5: string; sha256: string; dihedral?: string[] }
  | { file: string; error: string };

async function hashFile(file: string, dihedral: boolean): Promise<Line> {
  try {
    const h = await hashImage(await readFile(file));
    return {
      file,
      pdq: h.hash,
      quality: h.quality,
      md5: h.md5,
      sha256: h.sha256,
      ...(dihedral && { dihedral: h.dihedral }),
    };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const error = err.code && err.syscall ? `${err.code}: cannot ${err.syscall} the file` : err.message;
    return { file, error };
  }
}

function format(line: Line, json: boolean): string {
  if (json) return JSON.stringify(line);
  if ("error" in line) return `error  ${line.file}: ${line.error}`;
  const main = `${line.pdq}  q=${String(line.quality).padStart(3)}  md5=${line.md5}  sha256=${line.sha256}  ${line.file}`;
  return line.dihedral
    ? [main, ...line.dihedral.map((h, i) => `  ${(DIHEDRAL_NAMES[i] as string).padEnd(10)} ${h}`)].join("\n")
    : main;
}

export async function run(argv: string[]): Promise<number> {
  const a = parse(argv, { json: { type: "boolean" }, dihedral: { type: "boolean" } }, help);
  if (!a) return 0;
  const files = a.positionals;
  if (files.length === 0) {
    console.error(help);
    return 2;
  }
  const json = a.values.json === true;
  const dihedral = a.values.dihedral === true;
  // A few files in flight at once (sharp decodes on its own threads); output stays in order.
  const window = Math.max(2, availableParallelism());
  const pending: Promise<Line>[] = [];
  let next = 0;
  let failed = 0;
  const fill = () => {
    while (pending.length < window && next < files.length)
      pending.push(hashFile(files[next++] as string, dihedral));
  };
  fill();
  while (pending.length > 0) {
    const line = await (pending.shift() as Promise<Line>);
    if ("error" in line) failed++;
    process.stdout.write(`${format(line, json)}\n`);
    fill();
  }
  return failed > 0 ? 1 : 0;
}
