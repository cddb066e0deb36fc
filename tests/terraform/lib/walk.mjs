// Visits every expression of a module together with what is in scope where it appears:
// each.* under for_each, count.* under count, a dynamic block's iterator inside its content,
// and the variable a validation belongs to.
import { relative } from "node:path";
import { parseValue, repoRoot } from "./hcl.mjs";

// Attributes that hold no expression to resolve: type constraints, attribute names, provider
// addresses and module sources.
const SKIP = {
  variable: new Set(["type"]),
  resource: new Set(["provider", "ignore_changes"]),
  data: new Set(["provider"]),
  module: new Set(["source", "version", "providers"]),
  output: new Set(),
  locals: new Set(),
  provider: new Set(["alias"]),
};

function collect(value, ctx, skip, out, path) {
  if (typeof value === "string") {
    out.push({ value, ctx, path });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => collect(v, ctx, skip, out, `${path}[${i}]`));
  } else if (value && typeof value === "object") {
    for (const [key, child] of Object.entries(value)) {
      if (skip.has(key)) continue;
      if (key === "dynamic") {
        for (const [label, blocks] of Object.entries(child)) {
          for (const blk of blocks) {
            const iterator = (blk.iterator ?? label).replace(/^\$\{(.*)\}$/, "$1");
            collect(blk.for_each, ctx, skip, out, `${path}.dynamic.${label}.for_each`);
            const inner = { ...ctx, iterators: new Set([...ctx.iterators, iterator]) };
            collect(blk.content, inner, skip, out, `${path}.dynamic.${label}.content`);
          }
        }
        continue;
      }
      collect(child, ctx, skip, out, path ? `${path}.${key}` : key);
    }
  }
}

// Returns [{value, ctx, path}] for every string in the module; ctx.where names the block.
export function moduleStrings(mod) {
  const out = [];
  const base = (where, file, extra = {}) => ({
    where,
    file: relative(repoRoot, file),
    each: false,
    count: false,
    iterators: new Set(),
    selfVar: null,
    ...extra,
  });
  for (const v of mod.variables.values()) {
    const { validation, ...rest } = v.body;
    collect(rest, base(`variable "${v.name}"`, v.file), SKIP.variable, out, "");
    collect(
      validation ?? [],
      base(`variable "${v.name}"`, v.file, { selfVar: v.name }),
      SKIP.variable,
      out,
      "validation",
    );
  }
  for (const l of mod.locals.values())
    collect(l.value, base(`local.${l.name}`, l.file), SKIP.locals, out, "");
  for (const [kind, map] of [
    ["resource", mod.resources],
    ["data", mod.data],
  ]) {
    for (const r of map.values()) {
      const ctx = base(`${kind === "data" ? "data." : ""}${r.type}.${r.name}`, r.file, {
        each: "for_each" in r.body,
        count: "count" in r.body,
      });
      collect(r.body, ctx, SKIP[kind], out, "");
    }
  }
  for (const m of mod.modules.values()) {
    const ctx = base(`module.${m.name}`, m.file, {
      each: "for_each" in m.body,
      count: "count" in m.body,
    });
    collect(m.body, ctx, SKIP.module, out, "");
  }
  for (const o of mod.outputs.values())
    collect(o.body, base(`output "${o.name}"`, o.file), SKIP.output, out, "");
  for (const p of mod.providers)
    collect(p.body, base(`provider "${p.name}"`, p.file), SKIP.provider, out, "");
  return out;
}

// Like moduleStrings, with each interpolating string parsed: [{value, ctx, path, parsed}].
export async function moduleExpressions(mod) {
  const out = [];
  for (const s of moduleStrings(mod)) {
    const parsed = await parseValue(s.value, s.ctx.file);
    if (parsed) out.push({ ...s, parsed });
  }
  return out;
}
