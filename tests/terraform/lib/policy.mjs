// IAM statements of a module, read from its aws_iam_policy_document data sources (static
// statement blocks and dynamic "statement" contents alike).
import { relative } from "node:path";
import { block, dataOfType, referencedAddress, repoRoot } from "./hcl.mjs";

function statementFrom(raw, doc, index) {
  return {
    doc: `data.aws_iam_policy_document.${doc.name}`,
    file: relative(repoRoot, doc.file),
    label: raw.sid ?? `statement ${index}`,
    effect: raw.effect ?? "Allow",
    actions: raw.actions,
    notActions: raw.not_actions,
    resources: raw.resources,
    notResources: raw.not_resources,
    principals: block(raw, "principals"),
    conditions: block(raw, "condition"),
  };
}

export function policyDocuments(mod) {
  return dataOfType(mod, "aws_iam_policy_document").map((doc) => {
    const statements = block(doc.body, "statement").map((s, i) => statementFrom(s, doc, i));
    for (const dyn of block(doc.body, "dynamic"))
      for (const content of (dyn.statement ?? []).flatMap((d) => block(d, "content")))
        statements.push(statementFrom(content, doc, statements.length));
    return { name: doc.name, address: `data.aws_iam_policy_document.${doc.name}`, doc, statements };
  });
}

// "${data.aws_iam_policy_document.lambda.json}" -> "data.aws_iam_policy_document.lambda".
export function documentOf(policyValue) {
  const address = referencedAddress(policyValue);
  return address?.startsWith("data.aws_iam_policy_document.") ? address : null;
}

export function isPublicPrincipal(principals) {
  return principals.some((p) => {
    const ids = Array.isArray(p.identifiers) ? p.identifiers : [p.identifiers];
    return p.type === "*" || (p.type === "AWS" && ids.includes("*"));
  });
}
