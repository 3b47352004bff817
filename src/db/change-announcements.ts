// How Passport processes that do not serve a SQLite database (the CLI, backup, the verifier agent)
// tell the one that does about their writes (sqlite-changes.ts), without the server paying a
// system call per request (a `stat` costs as much as a small statement here):
// - the announcer appends a byte to `<database>.changes` once its transaction has ended, then
//   waits until the server confirms, in `<database>.changes-seen` ("<pid> <inode>:<size>"), that
//   it has seen that file at least that long: once a CLI command returns, every request the
//   server answers after it knows of the change;
// - the server watches the file (fs.watch, inotify), reads its size on each event and confirms.
//   Where watching fails (no inotify, the file removed or replaced) it removes the confirmation
//   file, so nobody waits for it, and reads the size on every request instead.
// The file only grows: a change never hides in a tick of the file clock.
import fs from "node:fs";

/** Longest an announcer waits for the server's confirmation before going on with a warning. */
const CONFIRM_WAIT_MS = 2000;

const seenFile = (file: string) => `${file}-seen`;
/** The file as found: its inode too, so that a file removed and written again is not taken for the old one. */
const identityOf = (file: string) => {
  const st = fs.statSync(file, { throwIfNoEntry: false });
  return st ? `${st.ino}:${st.size}` : "";
};

/** The serving side of each announcements file in this process, so that an announcer here tells it directly. */
const readers = new Map<string, AnnouncementReader>();

/** The server's view of the announcements file. */
export class AnnouncementReader {
  /** The file as last read ("<inode>:<size>", what is confirmed), and how often that changed. */
  private identity = "";
  private changes = 0;
  private watcher: fs.FSWatcher | null = null;

  constructor(readonly file: string) {
    readers.set(file, this);
    try {
      fs.appendFileSync(file, "", { mode: 0o600 }); // exists, so that it can be watched
      this.watcher = fs.watch(file, { persistent: false }, (event) => (event === "rename" ? this.stopWatching() : this.refresh()));
      this.watcher.on("error", () => this.stopWatching());
      this.refresh();
    } catch {
      this.stopWatching();
    }
  }

  get watching(): boolean {
    return this.watcher !== null;
  }

  /** A number that changes with every announcement: kept up to date by the watcher, or read now when not watching. */
  version(): number {
    if (!this.watcher) this.read();
    return this.changes;
  }

  /** Reads the file and confirms what it saw to announcers (the watcher calls this, and so does an announcer in this process). */
  refresh(): void {
    this.read();
    if (!this.watcher) return;
    try {
      // Written aside and renamed over: an announcer never reads half a confirmation.
      const next = `${seenFile(this.file)}.${process.pid}`;
      fs.writeFileSync(next, `${process.pid} ${this.identity}`, { mode: 0o600 });
      fs.renameSync(next, seenFile(this.file));
    } catch {
      this.stopWatching();
    }
  }

  private read(): void {
    const identity = identityOf(this.file);
    if (identity !== this.identity) this.changes++;
    this.identity = identity;
  }

  close(): void {
    this.stopWatching();
    if (readers.get(this.file) === this) readers.delete(this.file);
  }

  private stopWatching(): void {
    this.watcher?.close();
    this.watcher = null;
    // Announcers must not wait for confirmations that will not come.
    fs.rmSync(seenFile(this.file), { force: true });
  }
}

/** Appends an announcement and returns once the server (if one runs) has seen it. */
export function announce(file: string): void {
  fs.appendFileSync(file, ".", { mode: 0o600 });
  const [ino, size] = identityOf(file).split(":").map(Number);
  const here = readers.get(file);
  if (here) return here.refresh();
  const deadline = Date.now() + CONFIRM_WAIT_MS;
  const nap = new Int32Array(new SharedArrayBuffer(4));
  while (waitingFor(file, ino!, size!)) {
    if (Date.now() > deadline) {
      process.emitWarning(`the server did not confirm a change announced in ${file} within ${CONFIRM_WAIT_MS} ms; it sees it with its next look at the file`);
      return;
    }
    Atomics.wait(nap, 0, 0, 1); // synchronous: an announcement may be made at process exit
  }
}

/** Is a live server confirming announcements, and has it not yet confirmed this file at `size` or more? */
function waitingFor(file: string, ino: number, size: number): boolean {
  let text: string;
  try {
    text = fs.readFileSync(seenFile(file), "utf8");
  } catch {
    return false; // no server watching
  }
  const [pid, identity = ""] = text.split(" ");
  const [seenIno, seenSize] = identity.split(":").map(Number);
  if (!Number(pid) || Number(pid) === process.pid || !alive(Number(pid))) return false;
  // Another inode: the file was replaced and the server has not seen the new one yet.
  return seenIno !== ino || !(Number(seenSize) >= size);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === "EPERM";
  }
}
