// The function's environment has exactly the names the binary reads: the ones that
// `bootstrap --list-env` prints (its own configuration table, one name per line). A name only
// Terraform sets is silently ignored by the binary; a name only the binary reads is never set.
import { spawnSync } from "node:child_process";
import { relative } from "node:path";
import { block, repoRoot, resourcesOfType } from "../lib/hcl.mjs";

export function binaryNames(bootstrap) {
  if (!bootstrap) throw new Error("env: --bootstrap PATH is required (the built bootstrap binary)");
  const run = spawnSync(bootstrap, ["--list-env"], {
    encoding: "utf8",
    timeout: 10000,
    env: { PATH: process.env.PATH },
  });
  if (run.error) throw new Error(`env: cannot run ${bootstrap} --list-env: ${run.error.message}`);
  if (run.status !== 0)
    throw new Error(
      `env: ${bootstrap} --list-env exited with ${run.status ?? run.signal}: ${run.stderr.trim()}`,
    );
  const names = run.stdout
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  const bad = names.filter((n) => !/^[A-Z][A-Z0-9_]*$/.test(n));
  if (bad.length)
    throw new Error(
      `env: ${bootstrap} --list-env printed lines that are not variable names: ${JSON.stringify(bad)}`,
    );
  if (!names.length) throw new Error(`env: ${bootstrap} --list-env printed no names`);
  return names;
}

export async function check(modules, options) {
  const expected = new Set(binaryNames(options.bootstrap));
  const problems = [];
  let functions = 0;
  for (const mod of modules) {
    for (const fn of resourcesOfType(mod, "aws_lambda_function")) {
      functions++;
      const at = `${relative(repoRoot, fn.file)}: aws_lambda_function.${fn.name}`;
      const variables = block(fn.body, "environment")[0]?.variables;
      if (!variables || typeof variables !== "object") {
        problems.push(
          `${at}: environment.variables must be a literal map so its names can be checked`,
        );
        continue;
      }
      const actual = new Set(Object.keys(variables));
      for (const name of expected)
        if (!actual.has(name)) problems.push(`${at}: does not set ${name}, which the binary reads`);
      for (const name of actual)
        if (!expected.has(name))
          problems.push(`${at}: sets ${name}, which the binary does not read`);
    }
  }
  if (!functions) problems.push("no aws_lambda_function in the given modules");
  return problems;
}
