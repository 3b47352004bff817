// "Sign in with Passport" button for relying parties. Include the stylesheet and this script from
// your Passport server, then mark a link (or a submit button) with data-passport-signin:
//
//   <link rel="stylesheet" href="https://id.example.com/static/passport-button.css">
//   <script type="module" src="https://id.example.com/static/js/button.js"></script>
//   <a href="/login/passport" data-passport-signin>Sign in with Passport</a>
//
// The script only dresses the element (mark, label, class); the link still works without it.
const MARK = "▣";

export function dress(el: HTMLElement): void {
  if (el.dataset.passportDressed) return;
  el.dataset.passportDressed = "1";
  el.classList.add("passport-button");
  const label = el.textContent?.trim() || "Sign in with Passport";
  el.textContent = "";
  const mark = document.createElement("span");
  mark.className = "passport-button-mark";
  mark.setAttribute("aria-hidden", "true");
  mark.textContent = MARK;
  el.append(mark, document.createTextNode(` ${label}`));
}

document.querySelectorAll<HTMLElement>("[data-passport-signin]").forEach(dress);
