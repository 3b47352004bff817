// The admin pages and the developer console: copy buttons for ids, secrets and snippets.
import "./common.js";
import "./console/copy.js";
