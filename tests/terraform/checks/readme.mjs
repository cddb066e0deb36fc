// The README next to each module documents it without drift. A reusable module's README has an
// inputs table (| Name | Type | Default | Description |) with one row per variable, giving its
// type and default, and an outputs table (| Name | Description |) with one row per output, and
// no rows for things that no longer exist. A root configuration's README names each of its
// variables.
import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { repoRoot } from "../lib/hcl.mjs";

// How a default is written in the table: `null`, `"text"`, `[256, 256]`, `{}`, or "required".
export function renderDefault(body) {
  if (!("default" in body)) return "required";
  const v = body.default;
  if (v === null) return "`null`";
  if (typeof v === "string") return `\`${JSON.stringify(v)}\``;
  if (Array.isArray(v)) return `\`[${v.map((x) => JSON.stringify(x)).join(", ")}]\``;
  if (typeof v === "object") return `\`${Object.keys(v).length ? JSON.stringify(v) : "{}"}\``;
  return `\`${v}\``;
}

// Rows of every table whose header is exactly `header`: [{name, cells}].
function tableRows(markdown, header) {
  const rows = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== header) continue;
    for (let j = i + 2; j < lines.length && lines[j].startsWith("|"); j++) {
      const cells = lines[j]
        .split(/(?<!\\)\|/)
        .slice(1, -1)
        .map((c) => c.trim());
      rows.push({ name: cells[0].replace(/^`(.*)`$/, "$1"), cells });
    }
  }
  return rows;
}

export async function check(modules) {
  const problems = [];
  for (const mod of modules) {
    const file = join(mod.dir, "README.md");
    const at = relative(repoRoot, file);
    if (!existsSync(file)) {
      problems.push(`${at} does not exist`);
      continue;
    }
    const text = readFileSync(file, "utf8");
    if (mod.providers.length) {
      for (const name of mod.variables.keys())
        if (!text.includes(name)) problems.push(`${at} does not mention the variable ${name}`);
      continue;
    }
    const inputs = tableRows(text, "| Name | Type | Default | Description |");
    const outputs = tableRows(text, "| Name | Description |");
    if (!inputs.length)
      problems.push(`${at} has no inputs table (| Name | Type | Default | Description |)`);
    if (!outputs.length) problems.push(`${at} has no outputs table (| Name | Description |)`);
    for (const v of mod.variables.values()) {
      const row = inputs.find((r) => r.name === v.name);
      if (!row) {
        problems.push(`${at}: the inputs table has no row for variable "${v.name}"`);
        continue;
      }
      const type = `\`${String(v.body.type).replace(/^\$\{(.*)\}$/s, "$1")}\``;
      if (row.cells[1] !== type)
        problems.push(
          `${at}: variable "${v.name}" has type ${type}, the table says ${row.cells[1]}`,
        );
      const def = renderDefault(v.body);
      if (row.cells[2] !== def)
        problems.push(
          `${at}: variable "${v.name}" defaults to ${def}, the table says ${row.cells[2]}`,
        );
    }
    for (const r of inputs)
      if (!mod.variables.has(r.name))
        problems.push(`${at}: the inputs table lists "${r.name}", which is not a variable`);
    for (const o of mod.outputs.keys())
      if (!outputs.some((r) => r.name === o))
        problems.push(`${at}: the outputs table has no row for output "${o}"`);
    for (const r of outputs)
      if (!mod.outputs.has(r.name))
        problems.push(`${at}: the outputs table lists "${r.name}", which is not an output`);
  }
  return problems;
}
