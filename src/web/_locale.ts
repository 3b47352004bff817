// Dates and countries in the browser's language. Documents store ISO forms (YYYY-MM-DD, ISO 3166
// alpha-2 codes); people see and type the forms of their locale: the date picker shows dates as
// the browser's locale does, so the page's own dates and date messages use the same format
// (Intl.DateTimeFormat), and countries are picked by name (Intl.DisplayNames).
import { COUNTRY_CODES } from "../documents/countries.js";

const NUMERIC_DATE: Intl.DateTimeFormatOptions = { year: "numeric", month: "2-digit", day: "2-digit", timeZone: "UTC" };

/** "2030-01-31" → "01/31/2030" (en-US), "31.01.2030" (de), as the date picker shows it. */
export function formatDate(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return iso;
  return new Intl.DateTimeFormat(undefined, NUMERIC_DATE).format(new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))));
}

/** An example date in this locale's format, for messages: "12/31/1990". */
export const dateExample = () => formatDate("1990-12-31");

/** The browser's languages, then English (so "Germany" is understood whatever the locale). */
const languages = () => [...new Set([...(navigator.languages ?? []), navigator.language, "en"].filter(Boolean))];

let displayNames: Intl.DisplayNames | undefined;

/** "DE" → "Germany" (or "Deutschland" in a German browser). */
export function countryName(code: string): string {
  try {
    displayNames ??= new Intl.DisplayNames(languages(), { type: "region" });
    return displayNames.of(code) ?? code;
  } catch {
    return code;
  }
}

/** Lower case without accents or punctuation, so "Côte d’Ivoire" matches "cote divoire". */
const fold = (s: string) =>
  s
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, "");

let byName: Map<string, string> | undefined;

/** Every country's name in each of the browser's languages and in English, and its code, → code. */
function nameIndex(): Map<string, string> {
  if (byName) return byName;
  byName = new Map();
  for (const lang of [...languages()].reverse()) {
    let names: Intl.DisplayNames;
    try {
      names = new Intl.DisplayNames([lang], { type: "region" });
    } catch {
      continue;
    }
    for (const code of COUNTRY_CODES) {
      const name = names.of(code);
      if (name && name !== code) byName.set(fold(name), code);
    }
  }
  return byName;
}

/**
 * What the holder typed or picked ("Germany", "germany", "Germany (DE)", or the code "DE" in
 * capitals) → "DE"; null if it names no country. A lower-case "ge" is not taken for Georgia: a
 * name cut short must be an error, never a silent wrong code.
 */
export function countryCode(text: string): string | null {
  const t = text.trim();
  if (!t) return null;
  if (/^[A-Z]{2}$/.test(t)) return COUNTRY_CODES.has(t) ? t : null;
  const suffix = /\(([A-Za-z]{2})\)$/.exec(t);
  if (suffix && COUNTRY_CODES.has(suffix[1]!.toUpperCase())) return suffix[1]!.toUpperCase();
  return nameIndex().get(fold(t)) ?? null;
}

/** The countries sorted by their name in this locale, for a suggestion list. */
export function countryChoices(): { code: string; name: string }[] {
  const collator = new Intl.Collator(languages());
  return [...COUNTRY_CODES].map((code) => ({ code, name: countryName(code) })).sort((a, b) => collator.compare(a.name, b.name));
}

/** A document field's value as the holder reads it: dates in the locale's format, countries by name. */
export function inLocale(field: string, value: string): string {
  if (field.endsWith("_date")) return formatDate(value);
  if (field.endsWith("country_code")) return countryName(value);
  return value;
}
