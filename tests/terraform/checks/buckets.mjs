// Both buckets: a public access block, server-side encryption (AES256 unless a KMS key is
// given), BucketOwnerEnforced ownership, optional versioning and lifecycle expiry, and a
// TLS-only bucket policy (Deny when aws:SecureTransport is false, on the bucket and its objects).
// The input bucket (the one whose notification triggers the function) blocks all public access.
// The output bucket (OUTPUT_BUCKET of the function) is really public when public_output = true:
// its policy grants s3:GetObject on bucket/* to everyone and its public access block lets that
// policy through; with public_output = false the grant is gone and all four flags are on.
import { relative } from "node:path";
import { block, parseValue, referencedAddress, repoRoot, resourcesOfType } from "../lib/hcl.mjs";
import { evaluate } from "../lib/eval.mjs";
import { policyDocuments, documentOf, isPublicPrincipal } from "../lib/policy.mjs";
import { referencesIn } from "../lib/refs.mjs";
import { defaults } from "../lib/vars.mjs";

const FLAGS = [
  "block_public_acls",
  "block_public_policy",
  "ignore_public_acls",
  "restrict_public_buckets",
];

// The value of an attribute for the given variables (literals are returned as they are).
async function valueOf(mod, value, vars) {
  if (typeof value !== "string") return value;
  const parsed = await parseValue(value);
  if (!parsed) return value;
  return evaluate(parsed, { var: { ...defaults(mod), ...vars } });
}

async function covering(mod, type, bucket) {
  const out = [];
  for (const r of resourcesOfType(mod, type)) {
    const refs = await referencesIn(mod, [r.body.bucket, r.body.for_each]);
    if (refs.has(bucket)) out.push(r);
  }
  return out;
}

export async function check(modules) {
  const problems = [];
  for (const mod of modules) {
    const buckets = resourcesOfType(mod, "aws_s3_bucket");
    if (!buckets.length) continue;
    const notification = resourcesOfType(mod, "aws_s3_bucket_notification")[0];
    const fn = resourcesOfType(mod, "aws_lambda_function")[0];
    const input = notification && referencedAddress(notification.body.bucket);
    const output =
      fn && referencedAddress(block(fn.body, "environment")[0]?.variables?.OUTPUT_BUCKET);
    if (!input)
      problems.push(
        `${relative(repoRoot, mod.dir)}: no bucket notification names the input bucket`,
      );
    if (!output)
      problems.push(
        `${relative(repoRoot, mod.dir)}: the function's OUTPUT_BUCKET names no aws_s3_bucket`,
      );
    const docs = policyDocuments(mod);

    for (const b of buckets) {
      const address = `aws_s3_bucket.${b.name}`;
      const at = `${relative(repoRoot, b.file)}: ${address}`;
      const isOutput = address === output;

      const pabs = await covering(mod, "aws_s3_bucket_public_access_block", address);
      if (!pabs.length) problems.push(`${at} has no aws_s3_bucket_public_access_block`);
      for (const pab of pabs) {
        for (const publicOutput of isOutput ? [true, false] : [false, true]) {
          const vars = { public_output: publicOutput };
          for (const flag of FLAGS) {
            const v = await valueOf(mod, pab.body[flag], vars);
            const mayBeOff =
              isOutput &&
              publicOutput &&
              (flag === "block_public_policy" || flag === "restrict_public_buckets");
            if (mayBeOff && v !== false)
              problems.push(
                `${at}: with public_output = true, ${flag} must be false or the public-read policy is blocked (got ${v})`,
              );
            if (!mayBeOff && v !== true)
              problems.push(
                `${at}: ${flag} must be true${isOutput ? ` (public_output = ${publicOutput})` : ""} (got ${v})`,
              );
          }
        }
      }

      const sse = await covering(
        mod,
        "aws_s3_bucket_server_side_encryption_configuration",
        address,
      );
      if (!sse.length) problems.push(`${at} has no server-side encryption configuration`);
      for (const r of sse) {
        const byDefault =
          block(block(r.body, "rule")[0], "apply_server_side_encryption_by_default")[0] ?? {};
        const plain = await valueOf(mod, byDefault.sse_algorithm, { kms_key_arn: null });
        if (plain !== "AES256")
          problems.push(`${at}: default encryption is ${plain}, expected AES256`);
        if (mod.variables.has("kms_key_arn")) {
          const kms = await valueOf(mod, byDefault.sse_algorithm, {
            kms_key_arn: "arn:aws:kms:eu-west-1:123456789012:key/k",
          });
          if (kms !== "aws:kms")
            problems.push(`${at}: with kms_key_arn, encryption is ${kms}, expected aws:kms`);
        }
      }

      const ownership = await covering(mod, "aws_s3_bucket_ownership_controls", address);
      if (
        !ownership.some((r) => block(r.body, "rule")[0]?.object_ownership === "BucketOwnerEnforced")
      )
        problems.push(`${at}: object ownership is not BucketOwnerEnforced (ACLs stay possible)`);

      if (!(await covering(mod, "aws_s3_bucket_versioning", address)).length)
        problems.push(`${at} has no (optional) aws_s3_bucket_versioning`);
      const lifecycles = await covering(mod, "aws_s3_bucket_lifecycle_configuration", address);
      if (
        !lifecycles.some((r) =>
          block(r.body, "rule").some((rule) => block(rule, "expiration").length),
        )
      )
        problems.push(`${at} has no (optional) lifecycle expiration rule`);

      const policies = await covering(mod, "aws_s3_bucket_policy", address);
      if (!policies.length) problems.push(`${at} has no bucket policy (TLS only)`);
      for (const p of policies) {
        const depends = (p.body.depends_on ?? []).map((d) => d.replace(/^\$\{(.*)\}$/, "$1"));
        if (!pabs.some((pab) => depends.includes(`aws_s3_bucket_public_access_block.${pab.name}`)))
          problems.push(
            `${relative(repoRoot, p.file)}: aws_s3_bucket_policy.${p.name} must depend_on the public access block (S3 refuses the policy until it is applied)`,
          );
        const doc = docs.find((d) => d.address === documentOf(p.body.policy));
        if (!doc) continue; // the iam check reports it
        const denies = doc.statements.filter(
          (s) =>
            s.effect === "Deny" &&
            (s.actions ?? []).includes("s3:*") &&
            isPublicPrincipal(s.principals) &&
            s.conditions.some(
              (c) =>
                c.test === "Bool" &&
                c.variable === "aws:SecureTransport" &&
                JSON.stringify(c.values) === '["false"]',
            ),
        );
        const resources = new Set(denies.flatMap((s) => s.resources ?? []));
        if (!resources.has(`\${${address}.arn}`) || !resources.has(`\${${address}.arn}/*`))
          problems.push(
            `${at}: its bucket policy does not deny s3:* without TLS (aws:SecureTransport = false) on the bucket and bucket/*`,
          );

        // Public read: present exactly when public_output is true.
        const dynamics = block(doc.doc.body, "dynamic").flatMap((d) => d.statement ?? []);
        const publicStatic = block(doc.doc.body, "statement").filter(
          (s) => (s.effect ?? "Allow") === "Allow" && isPublicPrincipal(block(s, "principals")),
        );
        const publicDynamic = dynamics.filter((d) =>
          block(d, "content").some(
            (c) => (c.effect ?? "Allow") === "Allow" && isPublicPrincipal(block(c, "principals")),
          ),
        );
        const grants = async (publicOutput) => {
          let n = publicStatic.length;
          for (const d of publicDynamic)
            n += [
              ...Object.values(
                (await valueOf(mod, d.for_each, { public_output: publicOutput })) ?? {},
              ),
            ].length;
          return n;
        };
        const readsObjects = [
          ...publicStatic,
          ...publicDynamic.flatMap((d) => block(d, "content")),
        ].every(
          (s) =>
            JSON.stringify(s.actions) === '["s3:GetObject"]' &&
            JSON.stringify(s.resources) === JSON.stringify([`\${${address}.arn}/*`]),
        );
        if (isOutput) {
          if ((await grants(true)) === 0)
            problems.push(
              `${at}: public_output = true but no statement lets everyone s3:GetObject on bucket/*`,
            );
          if (!readsObjects)
            problems.push(
              `${at}: the public grant must be exactly s3:GetObject on ${address}.arn/*`,
            );
          if ((await grants(false)) !== 0)
            problems.push(`${at}: public_output = false still grants public read`);
        } else if ((await grants(true)) + (await grants(false)) !== 0) {
          problems.push(`${at}: grants anonymous access, but only the output bucket may be public`);
        }
      }
    }
  }
  return problems;
}
