// Flag parsing shared by the subcommands: node's parseArgs, strict, with a help text.
import { type ParseArgsConfig, parseArgs } from "node:util";

export class UsageError extends Error {}

export function parse<T extends NonNullable<ParseArgsConfig["options"]>>(
  argv: string[],
  options: T,
  help: string,
) {
  try {
    const r = parseArgs({
      args: argv,
      options: { ...options, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    });
    if ((r.values as Record<string, unknown>).help) {
      console.log(help);
      return null;
    }
    return r;
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n\n${help}`);
  }
}
