// Every .tf file parses (the CLI loads each module before any check), every expression in it
// parses, and the formatter accepts it. Run first, it also fills the parser cache that the other
// checks then read instead of each starting the WASM parser on the same files.
import { readFileSync } from "node:fs";
import { formatHcl, moduleFiles } from "../lib/hcl.mjs";
import { moduleExpressions } from "../lib/walk.mjs";

export async function check(modules) {
  for (const mod of modules) {
    await moduleExpressions(mod);
    for (const file of moduleFiles(mod.dir)) await formatHcl(readFileSync(file, "utf8"));
  }
  return [];
}
