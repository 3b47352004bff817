#!/usr/bin/env node
// The `passport` operator command. The CLI is TypeScript like the server; tsx compiles it on the
// fly, so it runs from a fresh clone after `npm ci` with no build step.
import { register } from "tsx/esm/api";

register();
await import("../src/cli/index.ts");
