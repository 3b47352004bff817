// Scan previews for the consent page: the sealed thumbnail where the vault page made one; for a
// small JPEG or PNG stored without one (uploaded by the CLI or SDK), the scan itself. Each is
// fetched and opened once, however often the page redraws.
import type { ScanRef } from "../../documents/index.js";
import { describeError } from "../_form.js";
import { dataUrl, el } from "../vault/dom.js";
import { MIME_LABELS } from "../vault/mime.js";
import { loadThumbnail, openScan } from "../vault/scans.js";
import type { FileEnvelope } from "../vault/transport.js";

/** Larger scans without a thumbnail are shown as an icon rather than downloaded for a glance. */
const INLINE_MAX_BYTES = 1024 * 1024;

const cache = new Map<string, Promise<string | null>>();

function preview(key: CryptoKey, files: FileEnvelope[], ref: ScanRef): Promise<string | null> {
  let p = cache.get(ref.id);
  if (!p) {
    const drawable = (ref.mime === "image/jpeg" || ref.mime === "image/png") && ref.size <= INLINE_MAX_BYTES;
    p = ref.thumbnailId
      ? loadThumbnail(key, files, ref)
      : drawable
        ? openScan(key, files, ref).then((bytes) => dataUrl(bytes, ref.mime))
        : Promise.resolve(null);
    cache.set(ref.id, p);
  }
  return p;
}

/** A tile with the scan's label; the image replaces the file-type icon once it is decrypted. */
export function scanTile(key: CryptoKey, files: FileEnvelope[], ref: ScanRef, label: string, field: string): HTMLLIElement {
  const icon = el("span", { class: "scan-icon", "aria-hidden": "true" }, MIME_LABELS[ref.mime]);
  const tile = el("li", { class: "scan", "data-field": field }, icon, el("span", { class: "scan-label" }, label));
  preview(key, files, ref)
    .then((url) => url && icon.replaceWith(el("img", { class: "thumb", src: url, alt: label })))
    .catch((err) => {
      icon.classList.add("broken");
      icon.title = describeError(err);
    });
  return tile;
}
