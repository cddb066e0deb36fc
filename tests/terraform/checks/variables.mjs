// Every variable has a type and a description. In a reusable module (one without a provider
// block; root configurations like examples/basic pass their values to it), every variable that
// can hold a bad value (all but bool and map types) has a validation with an error message.
// Every default passes its own validations.
import { relative } from "node:path";
import { block, repoRoot } from "../lib/hcl.mjs";
import { validate } from "../lib/vars.mjs";

export async function check(modules) {
  const problems = [];
  for (const mod of modules) {
    const reusable = mod.providers.length === 0;
    for (const v of mod.variables.values()) {
      const at = `${relative(repoRoot, v.file)}: variable "${v.name}"`;
      const type =
        typeof v.body.type === "string" ? v.body.type.replace(/^\$\{(.*)\}$/s, "$1") : "";
      if (!type) problems.push(`${at} has no type`);
      if (typeof v.body.description !== "string" || !v.body.description.trim())
        problems.push(`${at} has no description`);
      const rules = block(v.body, "validation");
      const freeForm = type === "bool" || /^map\(/.test(type);
      if (reusable && type && !freeForm && !rules.length)
        problems.push(`${at} (${type}) has no validation block`);
      for (const rule of rules)
        if (typeof rule.error_message !== "string" || !rule.error_message.trim())
          problems.push(`${at} has a validation without error_message`);
      if (rules.length && "default" in v.body) {
        const failures = await validate(mod, v.name, v.body.default);
        for (const f of failures)
          problems.push(
            `${at}: its default ${JSON.stringify(v.body.default)} fails its own validation: ${f}`,
          );
      }
    }
  }
  return problems;
}
