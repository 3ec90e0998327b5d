#!/usr/bin/env node
/**
 * The `surf` command. Exit codes: 0 success; 1 a check failed or an internal error; 2 bad usage or bad
 * input, with one line on stderr naming the flag, file or field. Results go to stdout (with --json,
 * only the JSON); progress goes to stderr.
 */
import { UsageError, helpText, parseArgs, type ParsedArgs } from "./args.js";
import { COMMANDS, commandOf, type Command } from "./commands.js";
import { requestedBackend } from "../kernels/env.js";
import { InputError } from "../errors.js";
import { version } from "./version.js";
import { shown } from "../io.js";
import { acquireLock } from "../lock.js";
import { withFlags } from "./flags.js";

async function main(argv: string[]): Promise<number> {
  const [name] = argv;
  if (name === "--version" || name === "version") {
    process.stdout.write(`surf ${version()}\n`);
    return 0;
  }
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    const width = Math.max(...COMMANDS.map((c) => c.spec.name.length));
    process.stdout.write(
      `surf ${version()} — invert ReLU generative networks by surfing\n\nusage: surf <command> [flags]   (surf <command> --help for its flags; surf --version)\n\n` +
        COMMANDS.map((c) => `  ${c.spec.name.padEnd(width)}  ${c.spec.summary}`).join("\n") + "\n",
    );
    return 0;
  }
  const { command, rest } = commandOf(argv);
  const parsed = parseArgs(command.spec, rest);
  if (parsed.help) {
    process.stdout.write(helpText(command.spec) + "\n");
    return 0;
  }
  // before any command module loads: loading one loads the kernels, which would fail on a bad SURF_BACKEND
  try {
    requestedBackend();
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  try {
    return await runCommand(command, parsed);
  } catch (e) {
    // the library names the options of its calls; the user gave flags
    if (e instanceof InputError) e.message = withFlags(e.message, command.spec);
    throw e;
  }
}

/** Prepare, lock the outputs, run. */
async function runCommand(command: Command, parsed: ParsedArgs): Promise<number> {
  const args = command.prepare ? await command.prepare(parsed) : parsed;
  // one writer per output: a second run on the same --out or --journal is refused, naming the first
  for (const f of command.spec.flags) {
    const v = args.flags[f.name];
    if (f.lock && f.output && v !== undefined) acquireLock(String(v), f.output, `--${f.name}`);
  }
  return command.run(args);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError || error instanceof InputError) {
      process.stderr.write(`surf: ${shown(error.message)}\n`);   // a file name cannot write to the terminal
      process.exitCode = 2;
    } else {
      // a bug, not the user's input: a short message and where to report it; the stack only when asked for
      const message = error instanceof Error ? error.message : String(error);
      const stack = process.env.SURF_DEBUG === "1" && error instanceof Error && error.stack ? `\n${error.stack}` : "";
      process.stderr.write(`surf: internal error: ${message} (a bug: please report it with the command line; SURF_DEBUG=1 shows the stack)${stack}\n`);
      process.exitCode = 1;
    }
  },
);
