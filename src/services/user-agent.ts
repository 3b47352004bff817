// Names a browser from its User-Agent header for the sessions list and the sign-in history
// ("Firefox 128 on Windows"). Only the common browsers and systems, in the order that matters:
// Edge and Opera also say "Chrome", Chrome also says "Safari", and iPadOS may say "Macintosh".
// A header that matches nothing is shown as "Unknown browser"; nothing here decides anything.

export interface Device {
  browser: string;
  os: string;
  /** "Firefox 128 on Windows". */
  label: string;
}

const BROWSERS: [name: string, pattern: RegExp][] = [
  ["Edge", /\bEdg(?:e|A|iOS)?\/(\d+)/],
  ["Opera", /\b(?:OPR|Opera)\/(\d+)/],
  ["Samsung Internet", /\bSamsungBrowser\/(\d+)/],
  ["Firefox", /\b(?:Firefox|FxiOS)\/(\d+)/],
  ["Chromium", /\bChromium\/(\d+)/],
  ["Chrome", /\b(?:Chrome|HeadlessChrome|CriOS)\/(\d+)/],
  ["Safari", /\bVersion\/(\d+)[\d.]* (?:Mobile\/\S+ )?Safari\//],
  ["curl", /^curl\/(\d+)/],
];

const SYSTEMS: [name: string, pattern: RegExp][] = [
  ["iOS", /\b(?:iPhone|iPad|iPod)\b/],
  ["Android", /\bAndroid\b/],
  ["ChromeOS", /\bCrOS\b/],
  ["Windows", /\bWindows\b/],
  ["macOS", /\bMac OS X\b|\bMacintosh\b/],
  ["Linux", /\bLinux\b|\bX11\b/],
];

export function describeUserAgent(ua: string | null | undefined): Device {
  const text = ua ?? "";
  let browser = "Unknown browser";
  for (const [name, pattern] of BROWSERS) {
    const m = pattern.exec(text);
    if (m) {
      browser = `${name} ${m[1]}`;
      break;
    }
  }
  const os = SYSTEMS.find(([, pattern]) => pattern.test(text))?.[0] ?? "";
  return { browser, os, label: os ? `${browser} on ${os}` : browser };
}

/** What is stored of the header: bounded, and only printable characters. */
export function storedUserAgent(ua: string | undefined): string | null {
  const clean = (ua ?? "").replace(/[^\x20-\x7e]/g, "").slice(0, 300);
  return clean || null;
}
