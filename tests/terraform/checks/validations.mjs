// The module's validations accept good values and reject bad ones, run on probes: S3 bucket
// naming rules, the function name, the enumerations, the AWS ranges. And the same name for the
// input and output buckets is refused (the function would trigger itself forever), while the
// defaults with two distinct names pass every precondition that can be evaluated offline.
// Root configurations (with a provider block) are skipped: the module they call validates.
import { relative } from "node:path";
import { repoRoot } from "../lib/hcl.mjs";
import { defaults, failingPreconditions, preconditions, validate } from "../lib/vars.mjs";

const BUCKET = {
  accept: ["abc", "my-images", "images.example.com", "a1-b2.c3", "x".repeat(63)],
  reject: [
    "ab", // too short
    "x".repeat(64), // too long
    "My-Images", // upper case
    "my_images", // underscore
    "-images", // starts with a hyphen
    "images-", // ends with a hyphen
    "my..images", // two adjacent dots
    "192.168.5.4", // an IP address
    "xn--images", // reserved prefixes
    "sthree-images",
    "amzn-s3-demo-images",
    "images-s3alias", // reserved suffixes
    "images--ol-s3",
    "images--x-s3",
    "images.mrap",
  ],
};

const PROBES = {
  input_bucket_name: BUCKET,
  output_bucket_name: BUCKET,
  lambda_function_name: {
    accept: ["imgpipe", "img_pipe-2", "x".repeat(59)],
    reject: ["", "img pipe", "img.pipe", "x".repeat(60)],
  },
  fit: { accept: ["fill", "cover", "contain", "inside"], reject: ["", "stretch", "FILL"] },
  output_format: { accept: ["jpeg", "jpg", "png", "webp"], reject: ["", "gif", "JPEG", "bmp"] },
  background: {
    accept: ["#ffffff", "000000", "#A0b1C2", "white", "black"],
    reject: ["", "#fff", "red", "#gggggg"],
  },
  architectures: { accept: [["x86_64"], ["arm64"]], reject: [[], ["x86"], ["x86_64", "arm64"]] },
  memory_size: { accept: [128, 512, 10240], reject: [127, 10241, 512.5] },
  timeout: { accept: [1, 30, 900], reject: [0, 901, 2.5] },
  reserved_concurrency: { accept: [-1, 0, 10], reject: [-2, 1.5] },
  log_retention_days: { accept: [1, 14, 365, 3653], reject: [0, 2, 15, 10000] },
  maximum_retry_attempts: { accept: [0, 1, 2], reject: [-1, 3, 1.5] },
  maximum_event_age_seconds: { accept: [60, 21600], reject: [59, 21601] },
  dead_letter_retention_seconds: { accept: [60, 1209600], reject: [59, 1209601] },
  input_expiry_days: { accept: [0, 1, 365], reject: [-1, 1.5] },
  output_expiry_days: { accept: [0, 1, 365], reject: [-1, 1.5] },
  kms_key_arn: {
    accept: [null, "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"],
    reject: ["", "alias/aws/s3", "arn:aws:kms:eu-west-1:123:key/x"],
  },
  filter_prefix: { accept: ["", "uploads/", "a/b/"], reject: ["/uploads/", "x".repeat(1025)] },
  output_prefix: { accept: ["", "thumbs/"], reject: ["/thumbs/"] },
  cache_control: {
    accept: ["public, max-age=86400", "no-cache", ""],
    reject: ["a\nb", "a\rb", "x".repeat(257)],
  },
  lambda_zip_path: {
    accept: ["../../../dist/lambda.zip", "lambda.zip"],
    reject: ["dist/lambda", "lambda.tar.gz"],
  },
};

export async function check(modules) {
  const problems = [];
  for (const mod of modules) {
    const where = relative(repoRoot, mod.dir) || ".";
    // A root configuration (with a provider block) hands its values to a module that validates.
    if (mod.providers.length) continue;
    for (const [name, { accept, reject }] of Object.entries(PROBES)) {
      if (!mod.variables.has(name)) continue;
      for (const value of accept) {
        const failures = await validate(mod, name, value);
        if (failures.length)
          problems.push(
            `${where}: variable "${name}" rejects the valid value ${JSON.stringify(value)}: ${failures[0]}`,
          );
      }
      for (const value of reject) {
        if (!(await validate(mod, name, value)).length)
          problems.push(
            `${where}: variable "${name}" accepts the invalid value ${JSON.stringify(value)}`,
          );
      }
    }

    if (mod.variables.has("input_bucket_name") && mod.variables.has("output_bucket_name")) {
      const list = await preconditions(mod);
      const base = { ...defaults(mod), lambda_zip_path: "dist/lambda.zip" };
      const same = failingPreconditions(list, {
        ...base,
        input_bucket_name: "imgs",
        output_bucket_name: "imgs",
      });
      if (!same.failing.length)
        problems.push(
          `${where}: nothing refuses input_bucket_name == output_bucket_name (the function would trigger itself)`,
        );
      const good = failingPreconditions(list, {
        ...base,
        input_bucket_name: "imgs-in",
        output_bucket_name: "imgs-out",
      });
      for (const f of good.failing)
        problems.push(
          `${where}: the defaults with distinct bucket names fail a precondition: ${f}`,
        );
    }
  }
  return problems;
}
