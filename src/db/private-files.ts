// Passport's files on disk are for its own user only: folders 0700, files 0600. A copy of the
// database file must not be one `cat` away for every other account on the machine.
import fs from "node:fs";

/** Creates `dir` (and missing parents) as 0700, and tightens it if it exists more open. */
export function ensurePrivateDir(dir: string): string | null {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  return tighten(dir, 0o700);
}

/** Creates `file` empty as 0600 if it is missing, and tightens it if it exists more open. */
export function ensurePrivateFile(file: string): string | null {
  fs.closeSync(fs.openSync(file, "a", 0o600));
  return tighten(file, 0o600);
}

/** Tightens an existing file or folder to `mode`; a warning (not a failure) when that is not ours to change. */
export function tighten(p: string, mode: number): string | null {
  let st: fs.Stats;
  try {
    st = fs.statSync(p);
  } catch {
    return null;
  }
  if ((st.mode & 0o777 & ~mode) === 0) return null;
  try {
    fs.chmodSync(p, mode);
    return null;
  } catch (e) {
    return `${p} is readable by other users (mode ${(st.mode & 0o777).toString(8)}) and could not be changed to ${mode.toString(8)}: ${(e as Error).message}`;
  }
}
