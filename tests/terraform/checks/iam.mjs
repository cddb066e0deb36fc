// Least privilege. Every policy is an aws_iam_policy_document (so it can be read here, unlike
// a jsonencode()d string). No Allow statement has a wildcard action (s3:*, *, s3:Get*) or
// NotAction, nor a * resource for S3. Deny statements may use s3:*: the TLS-only bucket policy
// denies every S3 action over plain HTTP, and widening a Deny only narrows access. Anonymous
// (principal *) access is s3:GetObject on objects only. No aws_iam_policy_attachment, no managed
// *FullAccess policy. The function's role policy allows exactly: s3:GetObject on objects of the
// bucket that triggers it, s3:PutObject on objects of another bucket, log writes on its own log
// group, and sqs:SendMessage on its on-failure destination (plus KMS use of a given key).
import { relative } from "node:path";
import { block, referencedAddress, repoRoot, resourcesOfType } from "../lib/hcl.mjs";
import { documentOf, isPublicPrincipal, policyDocuments } from "../lib/policy.mjs";

const POLICY_ATTRIBUTES = {
  aws_iam_role_policy: ["policy"],
  aws_iam_policy: ["policy"],
  aws_iam_role: ["assume_role_policy"],
  aws_s3_bucket_policy: ["policy"],
  aws_sqs_queue_policy: ["policy"],
};

function list(value) {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

// The resource an ARN string is built from: "${aws_s3_bucket.input.arn}/x*" -> "aws_s3_bucket.input".
function arnBase(resource) {
  const m = /^\$\{((?:data\.)?[a-z0-9_]+\.[A-Za-z0-9_-]+)\.arn\}(.*)$/.exec(resource);
  return m ? { address: m[1], rest: m[2] } : null;
}

function stringsIn(value, out = []) {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => stringsIn(v, out));
  else if (value && typeof value === "object")
    for (const [k, v] of Object.entries(value)) if (k !== "description") stringsIn(v, out);
  return out;
}

function checkStatement(s, problems) {
  const at = `${s.file}: ${s.doc} "${s.label}"`;
  if (s.effect !== "Allow" && s.effect !== "Deny")
    problems.push(`${at}: effect ${JSON.stringify(s.effect)}`);
  if (!Array.isArray(s.actions)) {
    problems.push(
      `${at}: actions must be a literal list to be checked, got ${JSON.stringify(s.actions)}`,
    );
    return;
  }
  if (s.effect !== "Allow") return;
  if (s.notActions !== undefined)
    problems.push(`${at}: an Allow with not_actions allows nearly everything`);
  if (s.notResources !== undefined) problems.push(`${at}: an Allow with not_resources`);
  for (const action of s.actions)
    if (action.includes("*")) problems.push(`${at}: Allow of the wildcard action ${action}`);
  const resources = list(s.resources);
  if (s.actions.some((a) => a.toLowerCase().startsWith("s3:")))
    for (const r of resources)
      if (r === "*" || /^arn:aws[a-z-]*:s3:::\*$/.test(r))
        problems.push(`${at}: S3 actions on the wildcard resource ${r}`);
  if (isPublicPrincipal(s.principals)) {
    if (s.actions.length !== 1 || s.actions[0] !== "s3:GetObject")
      problems.push(
        `${at}: anonymous principal * may only be allowed s3:GetObject, not ${s.actions.join(", ")}`,
      );
    for (const r of resources)
      if (!r.endsWith("/*"))
        problems.push(`${at}: anonymous read must be on objects (bucket/*), not ${r}`);
  }
}

// The role policy of the function: the allowed (action -> resources) pairs it must grant.
function checkFunctionRole(mod, docs, problems) {
  const fn = resourcesOfType(mod, "aws_lambda_function")[0];
  if (!fn) return;
  const at = `${relative(repoRoot, fn.file)}: aws_lambda_function.${fn.name}`;
  const role = referencedAddress(fn.body.role);
  const policies = resourcesOfType(mod, "aws_iam_role_policy").filter(
    (p) => referencedAddress(p.body.role) === role,
  );
  if (!policies.length) {
    problems.push(
      `${at}: its role ${role} has no aws_iam_role_policy (no permissions, or managed ones)`,
    );
    return;
  }
  const fnName = fn.body.function_name;
  for (const p of policies)
    if (typeof p.body.name !== "string" || !p.body.name.includes(fnName))
      problems.push(
        `${relative(repoRoot, p.file)}: aws_iam_role_policy.${p.name}: name ${JSON.stringify(p.body.name)} is not derived from the function name ${fnName}`,
      );
  for (const r of resourcesOfType(mod, "aws_iam_role").filter(
    (r) => `aws_iam_role.${r.name}` === role,
  ))
    if (typeof r.body.name !== "string" || !r.body.name.includes(fnName))
      problems.push(
        `${relative(repoRoot, r.file)}: aws_iam_role.${r.name}: name ${JSON.stringify(r.body.name)} is not derived from the function name ${fnName}`,
      );

  const notification = resourcesOfType(mod, "aws_s3_bucket_notification")[0];
  const inputBucket = notification ? referencedAddress(notification.body.bucket) : null;
  const logGroup = referencedAddress(block(fn.body, "logging_config")[0]?.log_group);
  const invokeConfig = resourcesOfType(mod, "aws_lambda_function_event_invoke_config")[0];
  const onFailure = referencedAddress(
    block(
      block(block(invokeConfig?.body, "destination_config")[0], "on_failure")[0],
      "destination",
    )[0],
  );
  const rules = {
    "s3:GetObject": (b) =>
      b && b.address === inputBucket && b.rest.startsWith("/") && `objects of ${inputBucket}`,
    "s3:PutObject": (b) =>
      b &&
      b.address.startsWith("aws_s3_bucket.") &&
      b.address !== inputBucket &&
      b.rest.startsWith("/") &&
      "objects of the output bucket",
    "logs:CreateLogStream": (b) => b && b.address === logGroup && "its own log group",
    "logs:PutLogEvents": (b) => b && b.address === logGroup && "its own log group",
    "sqs:SendMessage": (b) =>
      b && b.address === onFailure && b.rest === "" && "its on-failure queue",
  };
  const kms = new Set(["kms:Decrypt", "kms:GenerateDataKey"]);
  const granted = new Set();
  for (const p of policies) {
    const doc = docs.find((d) => d.address === documentOf(p.body.policy));
    if (!doc) continue; // reported as not analyzable below
    for (const s of doc.statements.filter((s) => s.effect === "Allow")) {
      for (const action of list(s.actions)) {
        const rule = rules[action];
        if (kms.has(action)) continue;
        if (!rule) {
          problems.push(`${s.file}: ${s.doc} "${s.label}": the function does not need ${action}`);
          continue;
        }
        for (const r of list(s.resources)) {
          if (!rule(arnBase(r)))
            problems.push(
              `${s.file}: ${s.doc} "${s.label}": ${action} on ${r} is broader than needed or the wrong resource`,
            );
          else granted.add(action);
        }
      }
    }
  }
  for (const action of Object.keys(rules))
    if (!granted.has(action))
      problems.push(`${at}: its role does not allow ${action} (needed for the pipeline)`);
}

export async function check(modules) {
  const problems = [];
  for (const mod of modules) {
    const docs = policyDocuments(mod);
    for (const d of docs) for (const s of d.statements) checkStatement(s, problems);

    for (const r of mod.resources.values()) {
      const at = `${relative(repoRoot, r.file)}: ${r.type}.${r.name}`;
      if (r.type === "aws_iam_policy_attachment")
        problems.push(
          `${at}: aws_iam_policy_attachment is exclusive across the whole account; attach inline policies to the role`,
        );
      for (const attr of POLICY_ATTRIBUTES[r.type] ?? []) {
        const doc = documentOf(r.body[attr]);
        if (!doc)
          problems.push(
            `${at}: ${attr} is not an aws_iam_policy_document, so it cannot be checked`,
          );
        else if (!docs.some((d) => d.address === doc))
          problems.push(`${at}: ${attr} names the undeclared ${doc}`);
      }
      if (
        r.type === "aws_iam_role" &&
        (r.body.managed_policy_arns !== undefined || block(r.body, "inline_policy").length)
      )
        problems.push(
          `${at}: managed_policy_arns/inline_policy bypass the checked inline role policy`,
        );
      for (const s of stringsIn(r.body))
        if (/FullAccess/.test(s)) problems.push(`${at}: uses the managed policy ${s}`);
    }
    checkFunctionRole(mod, docs, problems);
  }
  return problems;
}
