// Outputs are described and named <resource>_<attribute>; the module exposes what a user needs:
// the bucket names and ARNs, the function name and ARN, the dead-letter queue URL and the public
// URL prefix of the outputs. An example's outputs forward existing module outputs (the
// references check proves that).
import { relative } from "node:path";
import { repoRoot } from "../lib/hcl.mjs";

const REQUIRED = [
  "input_bucket_name",
  "input_bucket_arn",
  "output_bucket_name",
  "output_bucket_arn",
  "output_bucket_public_url_prefix",
  "lambda_function_name",
  "lambda_function_arn",
  "dead_letter_queue_url",
];

export async function check(modules) {
  const problems = [];
  for (const mod of modules) {
    for (const o of mod.outputs.values()) {
      const at = `${relative(repoRoot, o.file)}: output "${o.name}"`;
      if (typeof o.body.description !== "string" || !o.body.description.trim())
        problems.push(`${at} has no description`);
      if (!/^[a-z0-9]+(_[a-z0-9]+)+$/.test(o.name))
        problems.push(`${at} is not named <resource>_<attribute>`);
    }
    if (mod.providers.length) continue; // a root configuration picks what it shows
    for (const name of REQUIRED)
      if (!mod.outputs.has(name))
        problems.push(`${relative(repoRoot, mod.dir) || "."}: no output "${name}"`);
  }
  return problems;
}
