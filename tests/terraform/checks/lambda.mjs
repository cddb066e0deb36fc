// The function: the provided.al2023 custom runtime with handler bootstrap; architectures,
// memory, timeout and reserved concurrency from variables (x86_64 by default); a log group of
// its own with retention and the JSON log format; and a source_code_hash that cannot fail a
// first plan: the zip is hashed only when it exists, and a precondition says to run
// `make package` when it does not. A module call's lambda_zip_path must point at dist/lambda.zip
// of this repository, where `make package` writes it.
import { join, relative, resolve } from "node:path";
import { block, parseValue, referencedAddress, repoRoot, resourcesOfType } from "../lib/hcl.mjs";
import { evaluate } from "../lib/eval.mjs";

const unwrap = (v) => (typeof v === "string" ? v.replace(/^\$\{(.*)\}$/s, "$1") : v);

export async function check(modules) {
  const problems = [];
  for (const mod of modules) {
    for (const fn of resourcesOfType(mod, "aws_lambda_function")) {
      const at = `${relative(repoRoot, fn.file)}: aws_lambda_function.${fn.name}`;
      const b = fn.body;
      if (fn.name !== "this") problems.push(`${at}: the module's primary resource is named "this"`);
      if (b.runtime !== "provided.al2023")
        problems.push(`${at}: runtime is ${JSON.stringify(b.runtime)}, expected "provided.al2023"`);
      if (b.handler !== "bootstrap")
        problems.push(`${at}: handler is ${JSON.stringify(b.handler)}, expected "bootstrap"`);

      for (const [attr, variable] of [
        ["architectures", "architectures"],
        ["memory_size", "memory_size"],
        ["timeout", "timeout"],
        ["reserved_concurrent_executions", "reserved_concurrency"],
      ]) {
        if (unwrap(b[attr]) !== `var.${variable}`)
          problems.push(
            `${at}: ${attr} must come from var.${variable}, got ${JSON.stringify(b[attr])}`,
          );
        else if (!mod.variables.has(variable))
          problems.push(`${at}: var.${variable} is not declared`);
      }
      const arch = mod.variables.get("architectures")?.body.default;
      if (arch && JSON.stringify(arch) !== '["x86_64"]')
        problems.push(
          `${at}: architectures defaults to ${JSON.stringify(arch)}, expected ["x86_64"]`,
        );

      const logging = block(b, "logging_config")[0];
      if (logging?.log_format !== "JSON")
        problems.push(`${at}: logging_config.log_format must be "JSON"`);
      const groupAddress = referencedAddress(logging?.log_group);
      const group = groupAddress && mod.resources.get(groupAddress);
      if (!group || group.type !== "aws_cloudwatch_log_group") {
        problems.push(
          `${at}: logging_config.log_group must name the module's aws_cloudwatch_log_group (else Lambda creates one that never expires)`,
        );
      } else {
        if (group.body.retention_in_days === undefined)
          problems.push(
            `${relative(repoRoot, group.file)}: ${groupAddress} has no retention_in_days`,
          );
        if (
          unwrap(group.body.name) &&
          !String(group.body.name).includes("var.lambda_function_name")
        )
          problems.push(
            `${relative(repoRoot, group.file)}: ${groupAddress} name is not derived from the function name`,
          );
      }

      // filebase64sha256 of a missing file is an error at plan time: guard it.
      const zip = unwrap(b.filename);
      const hash = unwrap(b.source_code_hash) ?? "";
      if (!zip) problems.push(`${at}: no filename (the zip built by make package)`);
      else {
        const guarded = new RegExp(
          `^fileexists\\(${zip.replace(/\./g, "\\.")}\\)\\s*\\?\\s*filebase64sha256\\(${zip.replace(/\./g, "\\.")}\\)\\s*:\\s*null$`,
        );
        if (!guarded.test(hash))
          problems.push(
            `${at}: source_code_hash must be fileexists(${zip}) ? filebase64sha256(${zip}) : null, got ${JSON.stringify(b.source_code_hash)}`,
          );
        const pre = block(block(b, "lifecycle")[0], "precondition").find(
          (p) => unwrap(p.condition) === `fileexists(${zip})`,
        );
        if (!pre)
          problems.push(
            `${at}: no precondition fileexists(${zip}) telling the user to run make package`,
          );
        else if (!/make package/.test(pre.error_message ?? ""))
          problems.push(`${at}: the missing-zip message must say to run make package`);
      }
    }

    // Callers: the zip path they pass must be this repository's dist/lambda.zip.
    for (const call of mod.modules.values()) {
      if (call.body.lambda_zip_path === undefined) continue;
      const at = `${relative(repoRoot, call.file)}: module "${call.name}"`;
      const parsed = await parseValue(call.body.lambda_zip_path);
      // Terraform runs with -chdir=<this directory>, so path.module is "." relative to it.
      const value = parsed
        ? evaluate(parsed, { path: { module: ".", root: ".", cwd: "." } })
        : call.body.lambda_zip_path;
      const target = resolve(mod.dir, value);
      if (target !== join(repoRoot, "dist", "lambda.zip"))
        problems.push(
          `${at}: lambda_zip_path ${JSON.stringify(value)} resolves to ${relative(repoRoot, target)}, not dist/lambda.zip where make package writes it`,
        );
    }
  }
  return problems;
}
