// One zod schema per document type: what the browser validates before sealing, and what the
// CLI/SDK and relying parties can check after opening. The server never sees these values.
import * as z from "zod"; // a namespace import lets the browser bundle drop the parts of zod it does not use
import { parsePhoneNumberFromString } from "libphonenumber-js";
import { COUNTRY_CODES } from "./countries.js";
import { type DocumentType, HAS_REVERSE_SIDE, IDENTITY_DOCUMENTS, ADDRESS_DOCUMENTS } from "./types.js";

export const SCAN_MIME_TYPES = ["image/jpeg", "image/png", "application/pdf", "image/heic"] as const;

const text = (max: number) => z.string().trim().min(1, "is required").max(max, `is too long (${max} characters at most)`);
const optionalText = (max: number) => z.string().trim().max(max, `is too long (${max} characters at most)`).optional().transform((v) => v || undefined);
const country = z
  .string()
  .trim()
  .toUpperCase()
  .refine((c) => COUNTRY_CODES.has(c), "must be an ISO 3166-1 alpha-2 country code (e.g. DE, FR, US)");

/**
 * YYYY-MM-DD (what a date input gives) or DD.MM.YYYY (Telegram's form); must be a real calendar
 * date. Normalised to YYYY-MM-DD. The browser words its messages in its locale's date format.
 */
export const dateString = z.string().trim().transform((s, ctx) => {
  if (!s) {
    ctx.addIssue({ code: "custom", message: "is required" });
    return z.NEVER;
  }
  const dmy = /^(\d{2})\.(\d{2})\.(\d{4})$/.exec(s);
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  const [y, m, d] = dmy ? [dmy[3], dmy[2], dmy[1]] : iso ? [iso[1], iso[2], iso[3]] : [];
  const date = y ? new Date(Date.UTC(Number(y), Number(m) - 1, Number(d))) : null;
  if (!date || date.getUTCDate() !== Number(d) || date.getUTCMonth() !== Number(m) - 1) {
    ctx.addIssue({ code: "custom", message: "must be a real date (YYYY-MM-DD)" });
    return z.NEVER;
  }
  return `${y}-${m}-${d}`;
});
const pastDate = dateString.refine((d) => d < new Date().toISOString().slice(0, 10) && d > "1900-01-01", "must be a date in the past");

/** A scan as the item references it; the bytes are a separately sealed file. */
export const scanRef = z.object({
  id: z.string().uuid("is not a file id"),
  thumbnailId: z.string().uuid().optional(),
  mime: z.enum(SCAN_MIME_TYPES, { message: "must be a JPEG, PNG, PDF or HEIC file" }),
  name: z.string().max(255).optional(),
  size: z.number().int().positive(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type ScanRef = z.infer<typeof scanRef>;

export const personalDetails = z.object({
  first_name: text(255),
  middle_name: optionalText(255),
  last_name: text(255),
  first_name_native: optionalText(255),
  middle_name_native: optionalText(255),
  last_name_native: optionalText(255),
  birth_date: pastDate,
  gender: z.enum(["male", "female"], { message: "must be male or female" }),
  country_code: country,
  residence_country_code: country,
});

const translation = z.array(scanRef).max(10, "10 translation pages at most").default([]);

function identityDocument(withReverse: boolean) {
  return z.object({
    document_no: text(64),
    expiry_date: dateString.optional().or(z.literal("").transform(() => undefined)),
    front_side: scanRef.optional(),
    ...(withReverse ? { reverse_side: scanRef.optional() } : {}),
    selfie: scanRef.optional(),
    translation,
  });
}

export const address = z.object({
  street_line1: text(255),
  street_line2: optionalText(255),
  city: text(255),
  state: optionalText(255),
  country_code: country,
  post_code: text(12).pipe(z.string().regex(/^[A-Za-z0-9 -]+$/, "may contain letters, digits, spaces and dashes")),
});

const addressDocument = z.object({
  files: z.array(scanRef).min(1, "add at least one file").max(20, "20 files at most"),
  translation,
});

/**
 * Typed as people write it ("+31 6 1234 5678", "0031 6-12345678"), checked against each country's
 * numbering plan by libphonenumber-js and stored in E.164 ("+31612345678"). Unverified until a
 * verifier attests it (no SMS gateway).
 */
export const phoneText = z
  .string()
  .trim()
  .max(40, "is too long")
  .transform((s, ctx) => {
    const text = s.replace(/^00/, "+");
    if (!text.startsWith("+")) {
      ctx.addIssue({ code: "custom", message: "must start with + and the country code, e.g. +31 6 1234 5678" });
      return z.NEVER;
    }
    const parsed = parsePhoneNumberFromString(text);
    if (!parsed?.isValid()) {
      ctx.addIssue({ code: "custom", message: "is not a valid phone number: check the country code and the number of digits" });
      return z.NEVER;
    }
    return parsed.number;
  });

export const phoneNumber = z.object({ phone_number: phoneText });

export const email = z.object({
  email: z.string().trim().toLowerCase().email("must be an email address").max(320),
});

export const DOCUMENT_SCHEMAS = {
  personal_details: personalDetails,
  ...Object.fromEntries(IDENTITY_DOCUMENTS.map((t) => [t, identityDocument(HAS_REVERSE_SIDE.has(t))])),
  address,
  ...Object.fromEntries(ADDRESS_DOCUMENTS.map((t) => [t, addressDocument])),
  phone_number: phoneNumber,
  email,
} as unknown as Record<DocumentType, z.ZodType>;

export interface FieldProblem {
  field: string;
  message: string;
}

/** Validates a document's data; problems name the field ("birth_date: must be a date in the past"). */
export function validateDocument(type: DocumentType, data: unknown): { ok: true; data: Record<string, unknown> } | { ok: false; problems: FieldProblem[] } {
  const r = DOCUMENT_SCHEMAS[type].safeParse(data);
  if (r.success) return { ok: true, data: r.data as Record<string, unknown> };
  return { ok: false, problems: r.error.issues.map((i) => ({ field: i.path.join(".") || "_", message: i.message })) };
}

/** Every scan an item references, with the thumbnails, for upload bookkeeping and sharing. */
export function fileIdsOf(data: Record<string, unknown>): string[] {
  const ids: string[] = [];
  const visit = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === "object" && "sha256" in v && "id" in v) {
      const s = v as ScanRef;
      ids.push(s.id);
      if (s.thumbnailId) ids.push(s.thumbnailId);
    }
  };
  Object.values(data).forEach(visit);
  return ids;
}
