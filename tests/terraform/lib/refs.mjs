// Which declarations an attribute refers to, following local.* values, so that a resource with
// for_each = local.buckets is known to cover the buckets that local lists.
import { forEachTraversal, parseValue, traversalParts } from "./hcl.mjs";

function strings(value, out = []) {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => strings(v, out));
  else if (value && typeof value === "object") Object.values(value).forEach((v) => strings(v, out));
  return out;
}

// Set of "type.name" (resources), "data.type.name", "var.name" referred to by value.
export async function referencesIn(mod, value, seen = new Set()) {
  const out = new Set();
  for (const s of strings(value)) {
    const parsed = await parseValue(s);
    if (!parsed) continue;
    const found = [];
    forEachTraversal(parsed.ast, (node, locals) => {
      const parts = traversalParts(node);
      if (locals.has(parts[0].name)) return;
      found.push(parts.map((p) => p.name ?? null));
    });
    for (const [root, a, b] of found) {
      if (root === "local" && a && !seen.has(a) && mod.locals.has(a)) {
        seen.add(a);
        for (const r of await referencesIn(mod, mod.locals.get(a).value, seen)) out.add(r);
      } else if (root === "var" && a) out.add(`var.${a}`);
      else if (root === "data" && a && b) out.add(`data.${a}.${b}`);
      else if (root && a && /_/.test(root) && root !== "each" && root !== "count")
        out.add(`${root}.${a}`);
    }
  }
  return out;
}
