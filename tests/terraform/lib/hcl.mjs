// Loads Terraform modules with @cdktf/hcl2json (offline, WASM) and parses the expressions inside
// them, so that checks can look at references and evaluate validations without a terraform binary.
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

// The npm packages are pinned in local/package.json; scripts/setup.sh installs them. Each is a
// Go WASM module that costs about half a second to start, so they are loaded on first use.
const requireLocal = createRequire(join(repoRoot, "local", "package.json"));
function local(name) {
  try {
    return requireLocal(name);
  } catch (err) {
    throw new Error(
      `cannot load ${name} from local/node_modules (run scripts/setup.sh, or: cd local && npm ci): ${err.message}`,
    );
  }
}
const loaded = {};
export const hcl2json = () => (loaded.hcl2json ??= local("@cdktf/hcl2json"));
export const hclTools = () => (loaded.hclTools ??= local("@cdktf/hcl-tools"));

// Parser results keyed by the parser's version and the exact input, kept in the file named by
// IMGPIPE_TF_CACHE (the build directory sets it). A run whose inputs were all seen before never
// starts the WASM parser, which keeps the dozen checks fast. Results depend only on the key, so
// the cache cannot go stale; concurrent writers each rename a complete file over it.
const cacheFile = process.env.IMGPIPE_TF_CACHE;
let diskCache = {};
let cacheDirty = false;
if (cacheFile && existsSync(cacheFile)) {
  try {
    diskCache = JSON.parse(readFileSync(cacheFile, "utf8"));
  } catch {
    diskCache = {}; // a torn or foreign file: start over
  }
}
const versions = {};
function versionOf(name) {
  try {
    return (versions[name] ??= JSON.parse(
      readFileSync(requireLocal.resolve(`${name}/package.json`), "utf8"),
    ).version);
  } catch (err) {
    throw new Error(
      `cannot find ${name} in local/node_modules (run scripts/setup.sh, or: cd local && npm ci): ${err.message}`,
    );
  }
}

async function cached(kind, text, compute) {
  const tool = kind === "format" ? "@cdktf/hcl-tools" : "@cdktf/hcl2json";
  const key = createHash("sha256")
    .update(`${tool}@${versionOf(tool)}\0${kind}\0${text}`)
    .digest("base64url");
  const hit = diskCache[key];
  if (hit) {
    if ("error" in hit) throw new Error(hit.error);
    return hit.value;
  }
  cacheDirty = true;
  try {
    const value = await compute();
    diskCache[key] = { value };
    return value;
  } catch (err) {
    diskCache[key] = { error: err.message };
    throw err;
  }
}

export function saveParserCache() {
  if (!cacheFile || !cacheDirty) return;
  // Merge what parallel checks saved meanwhile, so that their entries are not lost.
  try {
    diskCache = { ...JSON.parse(readFileSync(cacheFile, "utf8")), ...diskCache };
  } catch {
    // absent or torn: ours alone
  }
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(diskCache));
  renameSync(tmp, cacheFile);
}

async function parseFile(file, src) {
  return cached(`file:${file}`, src, () => hcl2json().parse(file, src));
}

// Canonical formatting of HCL source (hclwrite.Format, what `terraform fmt` applies).
export async function formatHcl(src) {
  return cached("format", src, () => hclTools().format(src));
}

async function expressionAst(file, text) {
  return cached("expression", text, () => hcl2json().getExpressionAst(file, text));
}

// The .tf files of one module (not its subdirectories: each directory is its own module).
export function moduleFiles(dir) {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".tf"))
    .sort()
    .map((f) => join(dir, f));
}

// hcl2json gives every block as an array of bodies; labels are nested object keys.
function labelled(json, key, depth) {
  const out = [];
  const walk = (node, labels) => {
    if (labels.length === depth) {
      for (const body of node) out.push({ labels, body });
      return;
    }
    for (const [label, child] of Object.entries(node)) walk(child, [...labels, label]);
  };
  if (json[key]) walk(json[key], []);
  return out;
}

// A module as maps of declarations, each remembering its file for messages.
export async function loadModule(dir) {
  const mod = {
    dir: resolve(dir),
    files: [],
    variables: new Map(),
    locals: new Map(),
    resources: new Map(), // "type.name" -> {type, name, body, file}
    data: new Map(), // "type.name"
    modules: new Map(),
    outputs: new Map(),
    providers: [],
    terraform: [],
  };
  for (const file of moduleFiles(dir)) {
    const src = readFileSync(file, "utf8");
    versionOf("@cdktf/hcl2json"); // a missing parser is a setup problem, not a parse error
    let json;
    try {
      json = await parseFile(file, src);
    } catch (err) {
      throw new Error(`${file}: does not parse: ${err.message}`);
    }
    mod.files.push({ file, src, json });
    for (const { labels, body } of labelled(json, "variable", 1))
      mod.variables.set(labels[0], { name: labels[0], body, file });
    for (const body of json.locals ?? [])
      for (const [name, value] of Object.entries(body)) mod.locals.set(name, { name, value, file });
    for (const { labels, body } of labelled(json, "resource", 2))
      mod.resources.set(labels.join("."), { type: labels[0], name: labels[1], body, file });
    for (const { labels, body } of labelled(json, "data", 2))
      mod.data.set(labels.join("."), { type: labels[0], name: labels[1], body, file });
    for (const { labels, body } of labelled(json, "module", 1))
      mod.modules.set(labels[0], { name: labels[0], body, file });
    for (const { labels, body } of labelled(json, "output", 1))
      mod.outputs.set(labels[0], { name: labels[0], body, file });
    for (const { labels, body } of labelled(json, "provider", 1))
      mod.providers.push({ name: labels[0], body, file });
    for (const body of json.terraform ?? []) mod.terraform.push({ body, file });
  }
  return mod;
}

export function resourcesOfType(mod, type) {
  return [...mod.resources.values()].filter((r) => r.type === type);
}

export function dataOfType(mod, type) {
  return [...mod.data.values()].filter((d) => d.type === type);
}

// A block attribute that hcl2json wraps in a one-element array.
export function block(body, name) {
  const value = body?.[name];
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

const astCache = new Map();

// Parses one string value from hcl2json's output. Returns null when it holds no interpolation
// (a plain literal), else {ast, src}: a whole-value expression "${...}" is parsed as that
// expression (so booleans and lists keep their type), anything else as a heredoc template, in
// which hcl2json's already-unescaped literal text means what it says.
export async function parseValue(str, file = "expr.tf") {
  if (typeof str !== "string" || !/\$\{|%\{/.test(str.replace(/\$\$\{|%%\{/g, ""))) return null;
  if (astCache.has(str)) return astCache.get(str);
  let parsed = null;
  const whole = /^\$\{([\s\S]*)\}$/.exec(str);
  if (whole) {
    const inner = whole[1];
    try {
      const ast = await expressionAst(file, inner);
      if (ast) parsed = { ast, src: inner };
    } catch {
      parsed = null; // e.g. "${a}-${b}": not one expression, so it is a template
    }
  }
  if (!parsed) {
    const src = `<<EOT\n${str}\nEOT\n`;
    const ast = await expressionAst(file, src);
    parsed = { ast, src, heredoc: true };
  }
  astCache.set(str, parsed);
  return parsed;
}

// Parses every interpolating string inside a JSON value, so that cachedValue() can then
// evaluate it synchronously (the evaluator is synchronous, the WASM parser is not).
export async function parseAll(value) {
  if (typeof value === "string") await parseValue(value);
  else if (Array.isArray(value)) for (const v of value) await parseAll(v);
  else if (value && typeof value === "object")
    for (const v of Object.values(value)) await parseAll(v);
}

export function cachedParse(str) {
  return astCache.get(str) ?? null;
}

// Source text of an AST node (ranges are byte offsets).
export function nodeText(parsed, node) {
  return Buffer.from(parsed.src).subarray(node.range.start.byte, node.range.end.byte).toString();
}

// The traversal parts of a scopeTraversal node: [{name}|{index}].
export function traversalParts(node) {
  return node.meta.traversal.map((part) =>
    part.type === "nameTraversal" ? { name: part.segment } : { index: part.segment },
  );
}

// Calls visit(node, localNames) for every scopeTraversal, with the names bound by enclosing
// for-expressions (which are not references to declarations).
export function forEachTraversal(node, visit, localNames = new Set()) {
  if (!node) return;
  if (node.type === "scopeTraversal") {
    visit(node, localNames);
    return;
  }
  if (node.type === "for") {
    const [collection, ...rest] = node.children;
    forEachTraversal(collection, visit, localNames);
    const inner = new Set(localNames);
    if (node.meta.keyVar) inner.add(node.meta.keyVar);
    if (node.meta.valVar) inner.add(node.meta.valVar);
    for (const child of rest) forEachTraversal(child, visit, inner);
    return;
  }
  for (const child of node.children ?? []) forEachTraversal(child, visit, localNames);
}

// "${aws_s3_bucket.input.arn}" -> "aws_s3_bucket.input": the declaration a plain reference
// names, or null when the value is not a single reference.
export function referencedAddress(value) {
  if (typeof value !== "string") return null;
  const m = /^\$\{(data\.)?([a-z0-9_]+)\.([A-Za-z0-9_-]+)(\.[A-Za-z0-9_.]+)?\}$/.exec(value);
  if (!m) return null;
  return `${m[1] ?? ""}${m[2]}.${m[3]}`;
}
