// The edit page may be opened from a consent page (/vault/<type>?return=/interaction/<uid>) and
// goes back there after saving, so the request is not lost. Only a path on this site under
// /interaction/ is accepted: the parameter cannot send the holder anywhere else.
export function returnPath(search: string, origin: string): string | null {
  const raw = new URLSearchParams(search).get("return");
  if (!raw?.startsWith("/interaction/")) return null;
  let url: URL;
  try {
    url = new URL(raw, origin);
  } catch {
    return null;
  }
  // "/interaction/../x" normalises to "/x"; the check runs on the resolved URL.
  if (url.origin !== origin || !url.pathname.startsWith("/interaction/")) return null;
  return url.pathname + url.search;
}

/** Points the page's "back" and "Cancel" links at the consent page too. */
export function linkBack(path: string): void {
  document.querySelectorAll<HTMLAnchorElement>('main a[href="/vault"]').forEach((a) => {
    a.href = path;
    if (a.textContent?.startsWith("←")) a.textContent = "← Back to the request";
  });
}
