// The cheapest statement that proves the database answers (the connection or pool works, the
// file is readable), bounded in time so a hung database makes a health check fail, not hang.
import type { DataSource } from "typeorm";

export async function pingDatabase(ds: DataSource, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([ds.query("SELECT 1"), late]);
  } finally {
    clearTimeout(timer);
  }
}
