/**
 * Bad input from outside the program — a file, a field, a user-supplied value — as opposed to a bug.
 * The message is one line that names the file, tensor, field or option and says what is wrong (and,
 * where it helps, what to do). The `surf` command prints it and exits with code 2.
 *
 * The library names an option of the call in backticks — "`maxRegions` must be …" — and never a flag:
 * a library user has no flags. The `surf` command shows each such name as the flag that set it
 * ("--max-regions must be …", src/cli/flags.ts).
 *
 * @example
 * import { InputError, randomNetwork } from "surfing";
 * let error;
 * try {
 *   randomNetwork("surf", [2], "0");   // a surf network needs k, at least one hidden width, and n
 * } catch (e) {
 *   error = e;
 * }
 * error instanceof InputError;   // → true
 */
export class InputError extends Error {
  override name = "InputError";
}
