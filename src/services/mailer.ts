// Sends Passport's mails: over SMTP when SMTP_URL is set, otherwise as .eml files in
// DATA_DIR/outbox, where a developer can read them (see the README).
import crypto from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import nodemailer, { type Transporter } from "nodemailer";
import type { Config } from "../config.js";

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  send(mail: Mail): Promise<void>;
  /** Deletes what is kept of mails sent before `before` (ms); returns how many went. */
  purge?(before: number): Promise<number>;
}

export class SmtpMailer implements Mailer {
  private readonly transport: Transporter;
  constructor(url: string, private readonly from: string) {
    this.transport = nodemailer.createTransport(url);
  }

  async send(mail: Mail): Promise<void> {
    await this.transport.sendMail({ from: this.from, ...mail });
  }
}

/**
 * Mails as files, for development. They hold addresses and live codes, so the folder is the
 * owner's alone (0700, files 0600, also when the folder was made earlier by someone else) and
 * `purge` deletes a mail once the code it carries has expired.
 */
export class OutboxMailer implements Mailer {
  private readonly transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "unix" });
  constructor(private readonly dir: string, private readonly from: string) {}

  async send(mail: Mail): Promise<void> {
    const info = await this.transport.sendMail({ from: this.from, ...mail });
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    await fs.chmod(this.dir, 0o700);
    const name = `${new Date().toISOString().replace(/[:.]/g, "-")}-${crypto.randomBytes(4).toString("hex")}.eml`;
    await fs.writeFile(path.join(this.dir, name), info.message as Buffer, { mode: 0o600, flag: "wx" });
  }

  async purge(before: number): Promise<number> {
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch {
      return 0; // no outbox yet
    }
    let n = 0;
    for (const name of names.filter((f) => f.endsWith(".eml"))) {
      const file = path.join(this.dir, name);
      const stat = await fs.stat(file).catch(() => null);
      if (stat && stat.mtimeMs < before) {
        await fs.rm(file, { force: true });
        n++;
      }
    }
    return n;
  }
}

export function createMailer(cfg: Config["mail"]): Mailer {
  return cfg.smtpUrl ? new SmtpMailer(cfg.smtpUrl, cfg.from) : new OutboxMailer(cfg.outboxDir, cfg.from);
}
