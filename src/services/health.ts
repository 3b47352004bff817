// Readiness for load balancers and orchestrators (GET /healthz): the process is up and its
// database answers. Nothing else is checked: a slow mail server or object store should not take
// every node out of rotation at once, and those failures show in /metrics and the log instead.
import type { DataSource } from "typeorm";
import { pingDatabase } from "../db/health.js";

export interface Health {
  status: "ok" | "unavailable";
  checks: { database: "ok" | "unavailable" };
  /** Why, for the log only: the answer to the prober does not say. */
  error?: string;
}

export class HealthService {
  constructor(
    private readonly ds: DataSource,
    private readonly timeoutMs = 2000,
  ) {}

  async check(): Promise<Health> {
    try {
      await pingDatabase(this.ds, this.timeoutMs);
      return { status: "ok", checks: { database: "ok" } };
    } catch (e) {
      return { status: "unavailable", checks: { database: "unavailable" }, error: (e as Error).message };
    }
  }
}
