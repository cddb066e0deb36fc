// Every .tf file is already in canonical format (hclwrite.Format, as `terraform fmt` does).
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { formatHcl, moduleFiles, repoRoot } from "../lib/hcl.mjs";

export async function check(modules) {
  const problems = [];
  for (const mod of modules) {
    for (const file of moduleFiles(mod.dir)) {
      const src = readFileSync(file, "utf8");
      const formatted = await formatHcl(src);
      if (formatted === src) continue;
      const a = src.split("\n");
      const b = formatted.split("\n");
      const line = a.findIndex((l, i) => l !== b[i]);
      problems.push(
        `${relative(repoRoot, file)}:${line + 1}: not in canonical format (terraform fmt would ` +
          `write ${JSON.stringify(b[line])})`,
      );
    }
  }
  return problems;
}
