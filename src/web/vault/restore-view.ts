// The "Restore from a backup" part of the vault page: pick the file, give the old password if the
// backup was made under another vault key, see each document beside the vault's own, choose per
// conflict (keep mine / take the backup's / keep both), restore. The work is in restore.ts.
import { DOCUMENT_LABELS, type DocumentType } from "../../documents/index.js";
import { describeError, field, FormProblem } from "../_form.js";
import { parseBackup, type Backup } from "./backup.js";
import { el, must } from "./dom.js";
import { backupKeyFromPassword, opensWith, planRestore, restore, type Choice, type PlanRow } from "./restore.js";
import type { VaultOverview } from "./transport.js";

const CHOICES: [Choice, string][] = [
  ["mine", "Keep mine"],
  ["backup", "Take the backup's"],
  ["both", "Keep both (mine, completed with the backup's fields and pages)"],
];

function rowView(row: PlanRow): HTMLElement {
  const name = DOCUMENT_LABELS[row.type];
  if (!row.mine) return el("li", { "data-type": row.type, "data-state": "new" }, el("strong", {}, name), ": not in your vault, will be added.");
  if (row.same) return el("li", { "data-type": row.type, "data-state": "same" }, el("strong", {}, name), ": the same as in your vault, nothing to do.");
  const box = el("fieldset", { class: "restore-choice", "data-type": row.type, "data-state": "conflict" }, el("legend", {}, `${name}: your vault has another version`));
  for (const [value, text] of CHOICES) {
    const id = `restore-${row.type}-${value}`;
    box.append(el("label", { class: "check", for: id }, el("input", { type: "radio", name: `restore-${row.type}`, value, id, checked: value === "mine" }), text));
  }
  return el("li", {}, box);
}

export function setupRestore(key: CryptoKey, overview: () => VaultOverview, refresh: () => Promise<void>): void {
  const input = must<HTMLInputElement>(document, "#restore-file");
  const unlock = must<HTMLFormElement>(document, "#restore-unlock");
  const planBox = must<HTMLElement>(document, "#restore-plan");
  const status = must<HTMLElement>(document, "#restore-status");
  let backup: Backup | null = null;

  const say = (text: string, kind: "muted" | "error" | "ok" = "muted") => {
    status.className = kind;
    status.textContent = text;
  };
  const fail = (err: unknown) => say(describeError(err), "error");

  async function showPlan(backupKey: CryptoKey): Promise<void> {
    const rows = await planRestore(key, backupKey, backup!, overview());
    const go = el("button", { type: "button", class: "primary", id: "restore-go" }, "Restore");
    planBox.replaceChildren(el("ul", { class: "restore-rows" }, ...rows.map(rowView)), go);
    planBox.hidden = false;
    say(rows.length ? `The backup from ${backup!.exportedAt.slice(0, 10)} holds ${rows.length} document${rows.length === 1 ? "" : "s"}.` : "This backup holds no documents.");
    go.disabled = rows.every((r) => r.same);
    go.addEventListener("click", () => {
      go.disabled = true;
      const choice = (type: DocumentType) => (planBox.querySelector<HTMLInputElement>(`input[name="restore-${type}"]:checked`)?.value ?? "mine") as Choice;
      restore({ key, backupKey, backup: backup!, overview: overview() }, rows, choice, (t) => say(t))
        .then(async (done) => {
          planBox.hidden = true;
          await refresh();
          say(`Restored ${done.documents.length} document${done.documents.length === 1 ? "" : "s"} and ${done.scans} scan file${done.scans === 1 ? "" : "s"}.`, "ok");
        })
        .catch(async (err) => {
          fail(err);
          await refresh().catch(() => undefined);
          go.disabled = false;
        });
    });
  }

  input.addEventListener("change", () => {
    const chosen = input.files?.[0];
    planBox.hidden = unlock.hidden = true;
    if (!chosen) return;
    say("Reading the backup…");
    chosen
      .text()
      .then(async (text) => {
        backup = parseBackup(text);
        if (await opensWith(key, backup)) return showPlan(key);
        // Made under another vault key (an account made anew since): the old password opens it.
        unlock.hidden = false;
        say(`This backup was made for ${backup.email} with another vault key. Enter the password that account had then.`);
        unlock.querySelector<HTMLInputElement>("input[name=password]")?.focus();
      })
      .catch(fail);
  });

  unlock.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const password = field(unlock, "password");
    (async () => {
      if (!password) throw new FormProblem("Enter the password.");
      say("Opening the backup…");
      const backupKey = await backupKeyFromPassword(backup!, password);
      unlock.reset();
      unlock.hidden = true;
      await showPlan(backupKey);
    })().catch(fail);
  });
}
