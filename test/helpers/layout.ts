// Checks that a page fits its viewport the way a person sees it: no horizontal scroll, no two
// visible controls (or labels) drawn over each other, and no text spilling out of its own box.
// Runs in the page, on what Chromium actually laid out, so it catches what CSS review misses
// (issue 11, bug 6: "Sign out" at x = 506 on a 390 px screen, scope labels over checkboxes).
import type { Page } from "playwright-core";

export interface LayoutProblem {
  kind: "horizontal-scroll" | "overlap" | "overflow" | "off-screen" | "broken-word";
  detail: string;
}

/**
 * Every layout problem on the page as it is now laid out (at the current viewport). Empty means
 * it fits. The page's own scroll width is compared with the viewport's, and every visible
 * interactive element and label is compared with every other and with the viewport edges.
 */
export async function layoutProblems(page: Page): Promise<LayoutProblem[]> {
  // tsx compiles named inner functions to calls of its `__name` helper, which the page lacks:
  // the function goes in as source text, with a stand-in for the helper.
  return page.evaluate(`(() => { const __name = (f) => f; return (${inPage.toString()})(); })()`);
}

/** Runs in the page: see layoutProblems. */
function inPage(): LayoutProblem[] {
  const problems: LayoutProblem[] = [];
  const vw = document.documentElement.clientWidth;
  const scrollWidth = Math.max(document.documentElement.scrollWidth, document.body.scrollWidth);
  if (scrollWidth > vw) problems.push({ kind: "horizontal-scroll", detail: `the page is ${scrollWidth} px wide on a ${vw} px viewport` });

  /** A short, readable name for an element in a message. */
  const describe = (el: Element): string => {
    const tag = el.tagName.toLowerCase();
    const id = el.id ? `#${el.id}` : "";
    const name = el.getAttribute("name") ? `[name=${el.getAttribute("name")}]` : "";
    const text = (el.textContent ?? "").replace(/\s+/g, " ").trim().slice(0, 40);
    return `${tag}${id}${name}${text ? ` "${text}"` : ""}`;
  };

  const visible = (el: Element): boolean => {
    // checkVisibility also sees what CSS hides without display: none, such as the content of a
    // closed <details> (content-visibility) and a transparent file input laid over its label.
    if (!el.checkVisibility({ opacityProperty: true, visibilityProperty: true, contentVisibilityAuto: true })) return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };

  // Controls a person points at or reads as a unit. A label that wraps its control is the
  // label's box only where it has no control inside (else it would "overlap" its own input).
  const selector = "a[href], button, input:not([type=hidden]), select, textarea, summary, label, [role=button], [tabindex]:not([tabindex='-1'])";
  const all = [...document.querySelectorAll(selector)].filter(visible);
  // A link that wraps onto a second line has one box per line: its bounding box would cover the
  // words between them, so each line's box is compared on its own.
  const boxes = all.map((el) => ({ el, r: el.getBoundingClientRect(), lines: [...el.getClientRects()].filter((l) => l.width > 0 && l.height > 0) }));

  for (const { el, r } of boxes) {
    if (r.right > vw + 0.5 || r.left < -0.5) problems.push({ kind: "off-screen", detail: `${describe(el)} spans x = ${Math.round(r.left)}–${Math.round(r.right)} on a ${vw} px viewport` });
  }

  // Two boxes overlap only by more than a pixel each way: borders that touch are not overlap.
  const overlapArea = (a: DOMRect, b: DOMRect): number => {
    const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
    const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
    return w > 1 && h > 1 ? w * h : 0;
  };
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i]!;
      const b = boxes[j]!;
      // Nesting is not overlap: a label around its input, a link inside a label, a summary in a button.
      if (a.el.contains(b.el) || b.el.contains(a.el)) continue;
      if (overlapArea(a.r, b.r) > 0 && a.lines.some((la) => b.lines.some((lb) => overlapArea(la, lb) > 0))) problems.push({ kind: "overlap", detail: `${describe(a.el)} overlaps ${describe(b.el)}` });
    }
  }

  // Text that spills out of its box: an element whose content is wider than the element itself,
  // unless it is meant to scroll (overflow auto/scroll, as code blocks and wide tables do).
  for (const el of document.querySelectorAll("body *")) {
    if (!visible(el) || el.closest("svg")) continue;
    if (el.scrollWidth <= el.clientWidth + 1 || el.clientWidth === 0) continue;
    const style = getComputedStyle(el);
    if (["auto", "scroll"].includes(style.overflowX)) continue;
    if (style.overflowX === "hidden" && style.textOverflow === "ellipsis") continue;
    // Text for screen readers only (.visually-hidden) lives in a clipped 1 px box on purpose.
    if (style.overflowX !== "visible" && el.clientWidth <= 1) continue;
    // Only elements that hold text of their own: a wrapper whose child overflows is reported through the child.
    const ownText = [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.trim() !== "");
    if (!ownText) continue;
    problems.push({ kind: "overflow", detail: `${describe(el)}: content ${el.scrollWidth} px wide in a ${el.clientWidth} px box` });
  }
  // An identifier (a client id, a scope, an auth method: one word in <code>) broken across lines
  // although it would fit whole on a line of its block: hard to read and to copy. The block is the
  // nearest one that is not a table cell, since a table squeezing a column is the fault looked for.
  // A value with a hyphen or a slash (a URL, a date) may wrap there, as browsers wrap such text.
  const lineWidth = (el: Element): number => {
    for (let b = el.parentElement; b; b = b.parentElement) {
      const style = getComputedStyle(b);
      if (style.display === "inline" || style.display.startsWith("table") || style.display === "contents") continue;
      return b.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    }
    return vw;
  };
  // Measured on a canvas in the element's font: changing the element to measure it would lay the
  // whole page out again for every identifier.
  const measure = document.createElement("canvas").getContext("2d")!;
  for (const el of document.querySelectorAll<HTMLElement>("code")) {
    const text = (el.textContent ?? "").trim();
    if (!text || /[\s/-]/.test(text) || el.closest("pre") || !visible(el)) continue;
    const style = getComputedStyle(el);
    // Inline, a wrapped word has a box per line; made a block (a flex item), it is one taller box.
    const fontSize = parseFloat(style.fontSize);
    const lineHeight = style.lineHeight === "normal" ? fontSize * 1.2 : parseFloat(style.lineHeight);
    const height = el.getBoundingClientRect().height - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
    if (el.getClientRects().length < 2 && height < lineHeight * 1.5) continue;
    measure.font = style.font;
    const unbroken = measure.measureText(text).width + parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
    const line = lineWidth(el) - parseFloat(style.marginLeft) - parseFloat(style.marginRight);
    if (unbroken <= line) problems.push({ kind: "broken-word", detail: `${describe(el)} (${Math.round(unbroken)} px) is broken across lines that are ${Math.round(line)} px wide` });
  }
  return problems;
}

/** One line per problem, for an assertion message. */
export function formatLayout(where: string, problems: LayoutProblem[]): string {
  return problems.map((p) => `${where}: ${p.kind}: ${p.detail}`).join("\n");
}
