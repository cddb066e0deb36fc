// Failed asynchronous invocations are not lost: an aws_lambda_function_event_invoke_config of the
// function sets maximum_retry_attempts and an on-failure destination that is an SQS queue of the
// module with an explicit message_retention_seconds; the role may send to it (the iam check) and
// the config is created after the role policy, because Lambda verifies that permission.
import { relative } from "node:path";
import { block, referencedAddress, repoRoot, resourcesOfType } from "../lib/hcl.mjs";

export async function check(modules) {
  const problems = [];
  for (const mod of modules) {
    for (const fn of resourcesOfType(mod, "aws_lambda_function")) {
      const fnAddress = `aws_lambda_function.${fn.name}`;
      const at = `${relative(repoRoot, fn.file)}: ${fnAddress}`;
      const configs = resourcesOfType(mod, "aws_lambda_function_event_invoke_config").filter(
        (c) => referencedAddress(c.body.function_name) === fnAddress,
      );
      if (!configs.length) {
        problems.push(
          `${at}: no aws_lambda_function_event_invoke_config (failed events would be dropped after the retries)`,
        );
        continue;
      }
      for (const c of configs) {
        const cat = `${relative(repoRoot, c.file)}: aws_lambda_function_event_invoke_config.${c.name}`;
        if (c.body.maximum_retry_attempts === undefined)
          problems.push(`${cat}: no maximum_retry_attempts`);
        const destination = block(
          block(block(c.body, "destination_config")[0], "on_failure")[0],
          "destination",
        )[0];
        const address = referencedAddress(destination);
        const queue = address && mod.resources.get(address);
        if (!queue || queue.type !== "aws_sqs_queue" || !/\.arn\}$/.test(destination))
          problems.push(
            `${cat}: destination_config.on_failure.destination must be the arn of an aws_sqs_queue of the module, got ${JSON.stringify(destination)}`,
          );
        else if (queue.body.message_retention_seconds === undefined)
          problems.push(
            `${relative(repoRoot, queue.file)}: ${address} has no message_retention_seconds`,
          );
        else if (!String(queue.body.name ?? "").includes("var.lambda_function_name"))
          problems.push(
            `${relative(repoRoot, queue.file)}: ${address} name is not derived from the function name`,
          );
        const depends = (c.body.depends_on ?? []).map((d) => d.replace(/^\$\{(.*)\}$/, "$1"));
        if (!depends.some((d) => d.startsWith("aws_iam_role_policy.")))
          problems.push(
            `${cat}: must depends_on the role policy (Lambda checks that the role may send to the destination)`,
          );
      }
    }
  }
  return problems;
}
