// The trigger. aws_lambda_permission lets s3.amazonaws.com invoke the function, scoped with
// source_arn (the input bucket) and source_account. aws_s3_bucket_notification sends
// s3:ObjectCreated:* to the function with a filter_suffix rule for every extension the core
// decodes (the Format enum of include/imgpipe/image.h, plus "jpg"), in lower and upper case, an
// optional filter_prefix from var.filter_prefix, and it depends_on the permission (S3 tests the
// permission when the notification is saved).
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { block, parseAll, referencedAddress, repoRoot, resourcesOfType } from "../lib/hcl.mjs";
import { evalJson, moduleEnv } from "../lib/vars.mjs";

export function coreExtensions() {
  const src = readFileSync(join(repoRoot, "include/imgpipe/image.h"), "utf8");
  const body = /enum class Format\s*\{([^}]*)\}/.exec(src);
  if (!body) throw new Error("include/imgpipe/image.h: cannot find enum class Format");
  const names = [...body[1].matchAll(/\bk([A-Z][A-Za-z0-9]*)/g)]
    .map((m) => m[1].toLowerCase())
    .filter((n) => n !== "unknown");
  if (names.includes("jpeg")) names.push("jpg");
  return names;
}

const unwrap = (v) => (typeof v === "string" ? v.replace(/^\$\{(.*)\}$/s, "$1") : v);

// The lambda_function rules of a notification, static and dynamic, evaluated with the defaults.
async function rules(mod, notification) {
  const env = await moduleEnv(mod);
  const out = block(notification.body, "lambda_function").map((r) => ({
    raw: r,
    value: (k) => r[k],
  }));
  for (const dyn of block(notification.body, "dynamic")) {
    for (const d of dyn.lambda_function ?? []) {
      const iterator = unwrap(d.iterator) ?? "lambda_function";
      await parseAll(d.for_each);
      const items = evalJson(d.for_each, env);
      const entries = Array.isArray(items)
        ? items.map((v, i) => [i, v])
        : Object.entries(items ?? {});
      for (const content of block(d, "content")) {
        await parseAll(content);
        for (const [key, value] of entries) {
          const scoped = { ...env, [iterator]: { key, value } };
          out.push({ raw: content, value: (k) => evalJson(content[k], scoped) });
        }
      }
    }
  }
  return out;
}

export async function check(modules) {
  const problems = [];
  for (const mod of modules) {
    const fn = resourcesOfType(mod, "aws_lambda_function")[0];
    const fnAddress = fn && `aws_lambda_function.${fn.name}`;
    const notifications = resourcesOfType(mod, "aws_s3_bucket_notification");
    const permissions = resourcesOfType(mod, "aws_lambda_permission");
    if (!fn && !notifications.length && !permissions.length) continue;
    if (!notifications.length)
      problems.push(`${relative(repoRoot, mod.dir)}: no aws_s3_bucket_notification`);
    if (!permissions.length)
      problems.push(`${relative(repoRoot, mod.dir)}: no aws_lambda_permission`);

    for (const n of notifications) {
      const at = `${relative(repoRoot, n.file)}: aws_s3_bucket_notification.${n.name}`;
      const bucket = referencedAddress(n.body.bucket);
      const permission = permissions.find((p) => referencedAddress(p.body.source_arn) === bucket);
      if (!permission) {
        problems.push(`${at}: no aws_lambda_permission has source_arn = ${bucket}.arn`);
      } else {
        const pat = `${relative(repoRoot, permission.file)}: aws_lambda_permission.${permission.name}`;
        if (permission.body.principal !== "s3.amazonaws.com")
          problems.push(`${pat}: principal must be s3.amazonaws.com`);
        if (permission.body.action !== "lambda:InvokeFunction")
          problems.push(`${pat}: action must be lambda:InvokeFunction`);
        if (!/\.account_id\}$/.test(permission.body.source_account ?? ""))
          problems.push(
            `${pat}: source_account must be set (to the account id): a bucket ARN names no account`,
          );
        if (fnAddress && referencedAddress(permission.body.function_name) !== fnAddress)
          problems.push(`${pat}: function_name must reference ${fnAddress}`);
        const depends = (n.body.depends_on ?? []).map(unwrap);
        if (!depends.includes(`aws_lambda_permission.${permission.name}`))
          problems.push(
            `${at}: must depends_on aws_lambda_permission.${permission.name} (S3 checks the permission when the notification is saved)`,
          );
      }

      const all = await rules(mod, n);
      if (!all.length) problems.push(`${at}: sends no event to a Lambda function`);
      const suffixes = new Set();
      for (const r of all) {
        const events = r.value("events");
        if (!Array.isArray(events) || !events.includes("s3:ObjectCreated:*"))
          problems.push(
            `${at}: a rule's events are ${JSON.stringify(events)}, expected s3:ObjectCreated:*`,
          );
        if (fnAddress && referencedAddress(r.raw.lambda_function_arn) !== fnAddress)
          problems.push(
            `${at}: a rule targets ${JSON.stringify(r.raw.lambda_function_arn)}, not ${fnAddress}`,
          );
        if (!/var\.filter_prefix/.test(r.raw.filter_prefix ?? ""))
          problems.push(
            `${at}: filter_prefix must come from var.filter_prefix (optional prefix filter)`,
          );
        suffixes.add(r.value("filter_suffix"));
      }
      for (const ext of coreExtensions())
        for (const e of [ext.toLowerCase(), ext.toUpperCase()])
          if (!suffixes.has(`.${e}`))
            problems.push(
              `${at}: no filter_suffix ".${e}": uploads of *.${e} would not trigger the function`,
            );
    }
  }
  return problems;
}
