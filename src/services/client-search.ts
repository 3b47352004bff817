// Searching the client lists (admin page, developer console): a case-insensitive substring of the
// name, client id, a redirect URI or an owner's email. The lists are read whole already (one query
// per page), so the filter runs here rather than as SQL over a JSON column.
import type { ClientView } from "./clients.js";

export const SEARCH_MAX = 200;

export function searchClients(clients: ClientView[], query: string, ownerEmails: Record<string, string[]> = {}): ClientView[] {
  const q = query.trim().toLowerCase();
  if (!q) return clients;
  return clients.filter((c) =>
    [c.name, c.clientId, ...c.input.redirectUris, ...(ownerEmails[c.clientId] ?? [])].some((text) => text.toLowerCase().includes(q)),
  );
}
