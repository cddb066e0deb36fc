// A small evaluator for the Terraform expressions that can be evaluated offline: variable
// validations, preconditions and literal locals. It covers the functions this module uses and
// throws Unsupported for anything else, so a check never passes by silently skipping a condition.
import { nodeText, traversalParts } from "./hcl.mjs";

// The checker cannot evaluate this (unknown function, resource attribute...): a check bug or a
// module construct the checks must learn about. Never swallowed by can() or try().
export class Unsupported extends Error {}
// Terraform itself would fail here (e.g. regex without a match); can() turns it into false.
export class EvalError extends Error {}

const HCL_ESCAPES = { n: "\n", r: "\r", t: "\t", '"': '"', "\\": "\\" };

// Literal text inside a quoted string of the HCL source still carries its escapes.
function unescapeQuoted(text) {
  return text
    .replace(/\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|[nrt"\\])/g, (_, e) =>
      e.length > 1 ? String.fromCodePoint(parseInt(e.slice(1), 16)) : HCL_ESCAPES[e],
    )
    .replace(/\$\$\{/g, "${")
    .replace(/%%\{/g, "%{");
}

function typeName(v) {
  if (v === null) return "null";
  if (Array.isArray(v)) return "list";
  return typeof v;
}

function toStr(v) {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  throw new EvalError(`cannot convert ${typeName(v)} to string`);
}

function toNum(v) {
  if (typeof v === "number") return v;
  if (typeof v === "string" && v.trim() !== "" && !isNaN(Number(v))) return Number(v);
  throw new EvalError(`a number is required, got ${JSON.stringify(v)}`);
}

function toBool(v) {
  if (typeof v === "boolean") return v;
  if (v === "true" || v === "false") return v === "true";
  throw new EvalError(`a bool is required, got ${JSON.stringify(v)}`);
}

function equal(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

function collection(v) {
  if (Array.isArray(v)) return v;
  if (v && typeof v === "object") return Object.values(v);
  throw new EvalError(`a collection is required, got ${typeName(v)}`);
}

// RE2 and JavaScript agree on the syntax the module's validations use.
function regexMatch(pattern, str) {
  const m = new RegExp(pattern, "u").exec(str);
  if (!m) throw new EvalError(`pattern ${pattern} does not match ${JSON.stringify(str)}`);
  if (m.length === 1) return m[0];
  if (m.groups) return { ...m.groups };
  return m.slice(1);
}

const FUNCTIONS = {
  length: (v) => (typeof v === "string" ? [...v].length : collection(v).length),
  alltrue: (v) => collection(v).every(toBool),
  anytrue: (v) => collection(v).some(toBool),
  floor: (v) => Math.floor(toNum(v)),
  ceil: (v) => Math.ceil(toNum(v)),
  abs: (v) => Math.abs(toNum(v)),
  min: (...v) => Math.min(...v.map(toNum)),
  max: (...v) => Math.max(...v.map(toNum)),
  contains: (list, v) => collection(list).some((x) => equal(x, v)),
  startswith: (s, p) => toStr(s).startsWith(toStr(p)),
  endswith: (s, p) => toStr(s).endsWith(toStr(p)),
  strcontains: (s, p) => toStr(s).includes(toStr(p)),
  lower: (s) => toStr(s).toLowerCase(),
  upper: (s) => toStr(s).toUpperCase(),
  trimspace: (s) => toStr(s).trim(),
  tostring: (v) => (v === null ? null : toStr(v)),
  tonumber: (v) => (v === null ? null : toNum(v)),
  tobool: (v) => (v === null ? null : toBool(v)),
  tolist: (v) => collection(v),
  toset: (v) => [...new Map(collection(v).map((x) => [JSON.stringify(x), x])).values()],
  jsonencode: (v) => JSON.stringify(v),
  regex: (p, s) => regexMatch(toStr(p), toStr(s)),
  coalesce: (...v) => {
    const found = v.find((x) => x !== null && x !== "");
    if (found === undefined) throw new EvalError("coalesce: no non-null, non-empty argument");
    return found;
  },
  concat: (...lists) => lists.flatMap(collection),
  flatten: (list) => collection(list).flat(Infinity),
  keys: (m) => Object.keys(m).sort(),
  values: (m) =>
    Object.keys(m)
      .sort()
      .map((k) => m[k]),
  join: (sep, list) => collection(list).map(toStr).join(toStr(sep)),
  split: (sep, s) => toStr(s).split(toStr(sep)),
};

export function evaluate(parsed, env) {
  return new Evaluator(parsed, env).eval(parsed.ast, {});
}

class Evaluator {
  constructor(parsed, env) {
    this.parsed = parsed;
    this.env = env; // {var: {...}, local: {...}, path: {...}}: the roots a condition may use
  }

  text(node) {
    return nodeText(this.parsed, node);
  }

  lookup(root, scope) {
    if (Object.hasOwn(scope, root)) return scope[root];
    if (Object.hasOwn(this.env, root)) return this.env[root];
    throw new Unsupported(`cannot evaluate a reference to ${root}`);
  }

  traverse(value, parts, what) {
    for (const part of parts) {
      const key =
        "name" in part
          ? part.name
          : /^".*"$/.test(part.index)
            ? JSON.parse(part.index)
            : Number(part.index);
      if (value === null || typeof value !== "object" || !Object.hasOwn(value, key)) {
        if (value && value.__unknown) throw new Unsupported(`${what} is only known after apply`);
        throw new Unsupported(`${what}: no attribute or element ${JSON.stringify(key)}`);
      }
      value = value[key];
    }
    return value;
  }

  eval(node, scope) {
    const children = node.children ?? [];
    switch (node.type) {
      case "literalValue":
        return this.literal(node);
      case "template":
        return this.template(node, scope);
      case "templateWrap":
        return this.eval(children[0], scope);
      case "tuple":
        return children.map((c) => this.eval(c, scope));
      case "object":
        return this.object(node, scope);
      case "function":
        return this.call(node, scope);
      case "binaryOp":
        return this.binary(node, scope);
      case "unaryOp": {
        const v = this.eval(children[0], scope);
        if (node.meta.operator === "logicalNot") return !toBool(v);
        if (node.meta.operator === "negate") return -toNum(v);
        throw new Unsupported(`unary operator ${node.meta.operator}`);
      }
      case "conditional":
        return toBool(this.eval(children[0], scope))
          ? this.eval(children[1], scope)
          : this.eval(children[2], scope);
      case "for":
        return this.forExpr(node, scope);
      case "scopeTraversal": {
        const [root, ...rest] = traversalParts(node);
        return this.traverse(this.lookup(root.name, scope), rest, node.meta.value);
      }
      case "relativeTraversal":
        return this.traverse(this.eval(children[0], scope), traversalParts(node), node.meta.value);
      case "index": {
        const coll = this.eval(children[0], scope);
        const key = this.eval(children[1], scope);
        if (coll === null || typeof coll !== "object" || !Object.hasOwn(coll, key))
          throw new EvalError(`invalid index ${JSON.stringify(key)}`);
        return coll[key];
      }
      case "":
      case undefined:
        // Parentheses wrap one expression.
        if (children.length === 1) return this.eval(children[0], scope);
        throw new Unsupported(`expression ${this.text(node)}`);
      default:
        throw new Unsupported(`${node.type} expression ${this.text(node)}`);
    }
  }

  literal(node) {
    const { type, value } = node.meta;
    if (type === "number") return Number(value);
    if (type === "bool") return value === "true";
    if (type === "dynamic" && value === "null") return null;
    if (type === "string") return value;
    throw new Unsupported(`literal of type ${type}`);
  }

  template(node, scope) {
    // A quoted template's literal parts are raw source (with escapes); a heredoc's are not.
    // (meta.value is the template's source; its range may exclude the quotes.)
    const quoted = (node.meta?.value ?? "").startsWith('"');
    let out = "";
    for (const child of node.children ?? []) {
      if (child.type === "literalValue" && child.meta.type === "string") {
        out += quoted ? unescapeQuoted(child.meta.value) : child.meta.value;
      } else {
        const v = this.eval(child, scope);
        if (v === null) throw new EvalError("null value in a string template");
        out += toStr(v);
      }
    }
    // The heredoc wrapper of a mixed template adds a final newline that is not in the value.
    if (this.parsed.heredoc && node === this.parsed.ast) out = out.replace(/\n$/, "");
    return out;
  }

  object(node, scope) {
    const out = {};
    const children = node.children ?? [];
    for (let i = 0; i + 1 < children.length; i += 2) {
      const keyNode = children[i];
      const text = this.text(keyNode).trim();
      let key;
      if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(text)) key = text;
      else if (keyNode.type === "template") key = this.eval(keyNode, scope);
      else if (keyNode.children?.length === 1) key = toStr(this.eval(keyNode.children[0], scope));
      else throw new Unsupported(`object key ${text}`);
      out[key] = this.eval(children[i + 1], scope);
    }
    return out;
  }

  call(node, scope) {
    const name = node.meta.name;
    const args = node.children ?? [];
    if (node.meta.expandedFinalArgument)
      throw new Unsupported(`${name}(...) with expanded arguments`);
    if (name === "can" || name === "try") {
      for (const arg of args) {
        try {
          const v = this.eval(arg, scope);
          return name === "can" ? true : v;
        } catch (err) {
          if (!(err instanceof EvalError)) throw err;
        }
      }
      if (name === "can") return false;
      throw new EvalError("try: no argument could be evaluated");
    }
    const fn = FUNCTIONS[name];
    if (!fn) throw new Unsupported(`function ${name}()`);
    return fn(...args.map((a) => this.eval(a, scope)));
  }

  binary(node, scope) {
    const [lhsNode, rhsNode] = node.children;
    const op = node.meta.operator;
    // && and || do not short-circuit in Terraform, but evaluating both sides only matters for
    // errors, and Terraform reports those too.
    const a = this.eval(lhsNode, scope);
    const b = this.eval(rhsNode, scope);
    switch (op) {
      case "equal":
        return equal(a, b);
      case "notEqual":
        return !equal(a, b);
      case "logicalAnd":
        return toBool(a) && toBool(b);
      case "logicalOr":
        return toBool(a) || toBool(b);
      case "lessThan":
        return toNum(a) < toNum(b);
      case "lessThanOrEqual":
        return toNum(a) <= toNum(b);
      case "greaterThan":
        return toNum(a) > toNum(b);
      case "greaterThanOrEqual":
        return toNum(a) >= toNum(b);
      case "add":
        return toNum(a) + toNum(b);
      case "subtract":
        return toNum(a) - toNum(b);
      case "multiply":
        return toNum(a) * toNum(b);
      case "divide":
        return toNum(a) / toNum(b);
      case "modulo":
        return toNum(a) % toNum(b);
      default:
        throw new Unsupported(`operator ${op}`);
    }
  }

  forExpr(node, scope) {
    const { keyVar, valVar, keyExpression, conditionalExpression, groupedValue } = node.meta;
    if (groupedValue) throw new Unsupported("grouping (...) in a for expression");
    const isObject = node.meta.openRangeValue === "{";
    const [collNode, ...rest] = node.children;
    const keyNode = isObject && keyExpression ? rest.shift() : null;
    const valueNode = rest.shift();
    const condNode = conditionalExpression ? rest.shift() : null;
    const coll = this.eval(collNode, scope);
    const entries = Array.isArray(coll)
      ? coll.map((v, i) => [i, v])
      : Object.keys(coll ?? {})
          .sort()
          .map((k) => [k, coll[k]]);
    const list = [];
    const obj = {};
    for (const [k, v] of entries) {
      const inner = { ...scope, [valVar]: v };
      if (keyVar) inner[keyVar] = k;
      if (condNode && !toBool(this.eval(condNode, inner))) continue;
      if (isObject) obj[toStr(this.eval(keyNode, inner))] = this.eval(valueNode, inner);
      else list.push(this.eval(valueNode, inner));
    }
    return isObject ? obj : list;
  }
}
