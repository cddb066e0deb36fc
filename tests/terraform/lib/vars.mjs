// Runs a module's own variable validations and preconditions on chosen values.
import { relative } from "node:path";
import { block, cachedParse, parseAll, parseValue, repoRoot } from "./hcl.mjs";
import { evaluate } from "./eval.mjs";

// The value of a condition: "${expr}" is parsed, a literal true/false is taken as is.
async function conditionOf(value, file) {
  if (typeof value === "boolean") return { constant: value };
  const parsed = await parseValue(value, file);
  if (!parsed) return { constant: value === "true" };
  return { parsed };
}

function run(condition, env) {
  if ("constant" in condition) return condition.constant;
  return evaluate(condition.parsed, env) === true;
}

export function hasVariable(mod, name) {
  return mod.variables.has(name);
}

// Defaults of every variable that has one (null when declared as default = null).
export function defaults(mod) {
  const out = {};
  for (const v of mod.variables.values()) if ("default" in v.body) out[v.name] = v.body.default;
  return out;
}

// Whether every validation of variable `name` accepts `value`; returns the failing messages.
export async function validate(mod, name, value) {
  const v = mod.variables.get(name);
  if (!v) throw new Error(`${relative(repoRoot, mod.dir)}: no variable "${name}" to validate`);
  const failures = [];
  for (const rule of block(v.body, "validation")) {
    const condition = await conditionOf(rule.condition, v.file);
    let ok;
    try {
      ok = run(condition, { var: { [name]: value } });
    } catch (err) {
      // Terraform reports an error in a condition as a failed validation too.
      if (err.constructor.name === "Unsupported")
        throw new Error(`variable "${name}": ${err.message}`);
      ok = false;
    }
    if (!ok) failures.push(rule.error_message ?? "(no error_message)");
  }
  return failures;
}

// Every precondition of every resource, data source and output: [{where, condition, message}].
export async function preconditions(mod) {
  const out = [];
  const blocks = [
    ...[...mod.resources.values()].map((r) => [`${r.type}.${r.name}`, r]),
    ...[...mod.data.values()].map((d) => [`data.${d.type}.${d.name}`, d]),
    ...[...mod.outputs.values()].map((o) => [`output.${o.name}`, o]),
  ];
  for (const [where, decl] of blocks) {
    const lifecycles = where.startsWith("output.") ? [decl.body] : block(decl.body, "lifecycle");
    for (const lc of lifecycles)
      for (const pre of block(lc, "precondition"))
        out.push({
          where,
          condition: await conditionOf(pre.condition, decl.file),
          message: pre.error_message,
        });
  }
  return out;
}

// Runs the preconditions that depend only on variables with the given values. Returns the
// messages of those that fail, and how many could be evaluated (the others need values known
// only to a real plan, such as fileexists() or resource attributes).
export function failingPreconditions(list, vars) {
  const failing = [];
  let evaluated = 0;
  for (const pre of list) {
    try {
      const ok = run(pre.condition, { var: vars, path: { module: ".", root: ".", cwd: "." } });
      evaluated++;
      if (!ok) failing.push(`${pre.where}: ${pre.message}`);
    } catch (err) {
      if (err.constructor.name !== "Unsupported") {
        evaluated++;
        failing.push(`${pre.where}: ${pre.message}`);
      }
    }
  }
  return { failing, evaluated };
}

// The value of a JSON value from hcl2json (strings may be expressions) in env. Call parseAll on
// it first.
export function evalJson(json, env) {
  if (typeof json === "string") {
    const parsed = cachedParse(json);
    return parsed ? evaluate(parsed, env) : json;
  }
  if (Array.isArray(json)) return json.map((v) => evalJson(v, env));
  if (json && typeof json === "object")
    return Object.fromEntries(Object.entries(json).map(([k, v]) => [k, evalJson(v, env)]));
  return json;
}

// An evaluation environment with var.* (the given values over the defaults) and local.*
// (evaluated on first use, so that locals naming resources only fail when actually needed).
export async function moduleEnv(mod, vars = {}) {
  for (const l of mod.locals.values()) await parseAll(l.value);
  const env = {
    var: { ...defaults(mod), ...vars },
    local: {},
    path: { module: ".", root: ".", cwd: "." },
  };
  for (const l of mod.locals.values())
    Object.defineProperty(env.local, l.name, {
      enumerable: true,
      get: () => evalJson(l.value, env),
    });
  return env;
}
