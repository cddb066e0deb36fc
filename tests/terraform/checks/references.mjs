// Every reference resolves to a declaration of the same module: var.*, local.*, data.*.*,
// module.*.<output>, resource addresses, each.* (only under for_each), count.* (only under
// count), dynamic iterators (only in their content). A validation refers only to its own
// variable (Terraform < 1.9). Module calls pass exactly the called module's variables, all
// required ones included. Declared variables, locals and data sources are all used. No
// dependency cycle between resources, data sources, locals and module calls.
import { existsSync } from "node:fs";
import { relative, resolve } from "node:path";
import { loadModule, repoRoot, traversalParts, forEachTraversal } from "../lib/hcl.mjs";
import { moduleExpressions } from "../lib/walk.mjs";

const META_ARGS = new Set(["source", "version", "providers", "depends_on", "count", "for_each"]);

async function calledModule(mod, call) {
  const source = call.body.source;
  if (typeof source !== "string" || !/^\.\.?\//.test(source)) return null; // registry module
  const dir = resolve(mod.dir, source);
  if (!existsSync(dir)) return { missing: dir };
  return loadModule(dir);
}

// Every cycle found by a depth-first search, as the list of addresses around it.
function cycles(graph) {
  const state = new Map(); // address -> "open" while on the stack, "done" after
  const stack = [];
  const found = [];
  const visit = (node) => {
    state.set(node, "open");
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === "open") found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, "done");
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return found;
}

export async function check(modules) {
  const problems = [];
  for (const mod of modules) {
    const used = { var: new Set(), local: new Set(), data: new Set() };
    const targets = new Map();
    for (const call of mod.modules.values()) targets.set(call.name, await calledModule(mod, call));

    // Dependency edges between resources, data sources, locals and module calls: Terraform
    // refuses a cycle at plan time, which cannot run here.
    const graph = new Map();
    const edge = (from, to) => {
      if (!/^(variable|output) /.test(from))
        graph.set(from, (graph.get(from) ?? new Set()).add(to));
    };

    for (const { ctx, parsed, path } of await moduleExpressions(mod)) {
      const at = `${ctx.file}: ${ctx.where}${path ? ` (${path})` : ""}`;
      forEachTraversal(parsed.ast, (node, localNames) => {
        const parts = traversalParts(node);
        const root = parts[0].name;
        const ref = node.meta.value;
        const name1 = parts[1]?.name;
        const name2 = parts[2]?.name;
        if (localNames.has(root) || ctx.iterators.has(root)) return;
        if (root === "local" || root === "module") edge(ctx.where, `${root}.${name1}`);
        else if (root === "data") edge(ctx.where, `data.${name1}.${name2}`);
        else if (/^[a-z0-9]+_[a-z0-9_]+$/.test(root)) edge(ctx.where, `${root}.${name1}`);
        switch (root) {
          case "var":
            if (!mod.variables.has(name1))
              problems.push(`${at}: ${ref}: no variable "${name1}" is declared`);
            else if (ctx.selfVar && name1 !== ctx.selfVar)
              problems.push(`${at}: ${ref}: a validation may only refer to var.${ctx.selfVar}`);
            else if (!ctx.selfVar) used.var.add(name1);
            return;
          case "local":
            if (!mod.locals.has(name1))
              problems.push(`${at}: ${ref}: no local "${name1}" is declared`);
            used.local.add(name1);
            return;
          case "data":
            if (!mod.data.has(`${name1}.${name2}`))
              problems.push(`${at}: ${ref}: no data "${name1}" "${name2}" is declared`);
            used.data.add(`${name1}.${name2}`);
            return;
          case "module": {
            if (!mod.modules.has(name1)) {
              problems.push(`${at}: ${ref}: no module "${name1}" is declared`);
              return;
            }
            const target = targets.get(name1);
            if (target && !target.missing && name2 && !target.outputs.has(name2))
              problems.push(`${at}: ${ref}: module "${name1}" has no output "${name2}"`);
            return;
          }
          case "path":
            if (!["module", "root", "cwd"].includes(name1))
              problems.push(`${at}: ${ref}: unknown path.${name1}`);
            return;
          case "terraform":
            if (name1 !== "workspace") problems.push(`${at}: ${ref}: unknown terraform.${name1}`);
            return;
          case "each":
            if (!ctx.each) problems.push(`${at}: ${ref}: each.* outside a for_each block`);
            else if (!["key", "value"].includes(name1))
              problems.push(`${at}: ${ref}: each has only key and value`);
            return;
          case "count":
            if (!ctx.count) problems.push(`${at}: ${ref}: count.* outside a block with count`);
            else if (name1 !== "index") problems.push(`${at}: ${ref}: count has only index`);
            return;
          case "self":
            problems.push(`${at}: ${ref}: self is only valid in provisioners`);
            return;
          default:
            if (/^[a-z0-9]+_[a-z0-9_]+$/.test(root) && name1 !== undefined) {
              if (!mod.resources.has(`${root}.${name1}`))
                problems.push(`${at}: ${ref}: no resource "${root}" "${name1}" is declared`);
            } else {
              problems.push(
                `${at}: ${ref}: "${root}" is not declared (not a variable, local, resource or iterator in scope)`,
              );
            }
        }
      });
    }

    for (const [name, target] of targets) {
      const call = mod.modules.get(name);
      const at = `${relative(repoRoot, call.file)}: module "${name}"`;
      if (!target) continue;
      if (target.missing) {
        problems.push(`${at}: source ${call.body.source} does not exist`);
        continue;
      }
      for (const arg of Object.keys(call.body))
        if (!META_ARGS.has(arg) && !target.variables.has(arg))
          problems.push(`${at}: passes ${arg}, which the module does not declare`);
      for (const v of target.variables.values())
        if (!("default" in v.body) && !(v.name in call.body))
          problems.push(`${at}: does not pass the required variable ${v.name}`);
    }

    problems.push(
      ...cycles(graph).map(
        (c) => `${relative(repoRoot, mod.dir) || "."}: dependency cycle ${c.join(" -> ")}`,
      ),
    );

    const unused = (kind, map, set, label) => {
      for (const [key, decl] of map)
        if (!set.has(key))
          problems.push(
            `${relative(repoRoot, decl.file)}: ${label(key)} is declared but never used`,
          );
    };
    unused("var", mod.variables, used.var, (k) => `variable "${k}"`);
    unused("local", mod.locals, used.local, (k) => `local.${k}`);
    unused("data", mod.data, used.data, (k) => `data.${k}`);
  }
  return problems;
}
