// When an identity document has run out. The date is the holder's own calendar day (the browser's
// time zone), not UTC: a passport that expires today is still valid today wherever the holder is.

/** Today as YYYY-MM-DD in the local time zone, the form expiry dates are stored in. */
export function localToday(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** The expiry date when it lies before `today`, else null (no expiry date, or still valid). */
export function expiredOn(data: Record<string, unknown>, today = localToday()): string | null {
  const expiry = data.expiry_date;
  return typeof expiry === "string" && /^\d{4}-\d{2}-\d{2}$/.test(expiry) && expiry < today ? expiry : null;
}
