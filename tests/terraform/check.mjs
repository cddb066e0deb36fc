#!/usr/bin/env node
// Offline checks of the Terraform in terraform/ (no terraform binary can be installed here).
//
//   node tests/terraform/check.mjs CHECK [--bootstrap PATH] [--fixtures DIR] MODULE_DIR...
//
// CHECK is one of the files in checks/. Each MODULE_DIR is one module (its own .tf files) and
// must pass: every problem is printed and the exit status is 1.
// --fixtures DIR proves that the check can fail: every subdirectory of DIR is a deliberately
// broken module with an EXPECT file (one text per line); the check must report, for each line, a
// problem containing that text. A fixture that is not caught fails the run.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { loadModule, repoRoot, saveParserCache } from "./lib/hcl.mjs";

const checksDir = join(dirname(fileURLToPath(import.meta.url)), "checks");
const checkNames = readdirSync(checksDir)
  .filter((f) => f.endsWith(".mjs"))
  .map((f) => f.replace(/\.mjs$/, ""));

function usage(message) {
  console.error(`check.mjs: ${message}`);
  console.error(
    `usage: check.mjs {${checkNames.join("|")}} [--bootstrap PATH] [--fixtures DIR] MODULE_DIR...`,
  );
  process.exit(2);
}

const args = process.argv.slice(2);
const name = args.shift();
if (!checkNames.includes(name)) usage(`unknown check ${JSON.stringify(name)}`);
const options = { dirs: [] };
while (args.length) {
  const arg = args.shift();
  if (arg === "--bootstrap" || arg === "--fixtures") {
    if (!args.length) usage(`${arg} needs a value`);
    options[arg.slice(2)] = args.shift();
  } else {
    options.dirs.push(arg);
  }
}
if (!options.dirs.length) usage("no module directory given");

const { check } = await import(join(checksDir, `${name}.mjs`));

async function run(dirs) {
  try {
    const modules = [];
    for (const dir of dirs) modules.push(await loadModule(dir));
    return await check(modules, options);
  } catch (err) {
    // A module that does not parse, or a construct a check cannot evaluate, is a failure too.
    return [err.message];
  }
}

let failed = false;
const problems = await run(options.dirs);
for (const p of problems) console.error(`${name}: ${p}`);
if (problems.length) failed = true;
else console.log(`ok: ${name} passes on ${options.dirs.join(", ")}`);

if (options.fixtures) {
  const cases = readdirSync(options.fixtures, { withFileTypes: true }).filter((e) =>
    e.isDirectory(),
  );
  if (!cases.length) {
    console.error(`${name}: no fixtures in ${options.fixtures}`);
    failed = true;
  }
  for (const entry of cases) {
    const dir = join(options.fixtures, entry.name);
    const expectFile = join(dir, "EXPECT");
    const label = relative(repoRoot, dir);
    if (!existsSync(expectFile)) {
      console.error(`${name}: fixture ${label} has no EXPECT file`);
      failed = true;
      continue;
    }
    const expected = readFileSync(expectFile, "utf8")
      .split("\n")
      .filter((l) => l.trim());
    const reported = await run([dir]);
    for (const text of expected) {
      const hit = reported.find((p) => p.includes(text));
      if (hit) {
        console.log(`ok: ${name} catches ${label}: ${hit}`);
      } else {
        failed = true;
        console.error(
          `FAIL: ${name} does not catch ${label}: no problem contains ${JSON.stringify(text)}`,
        );
        for (const p of reported) console.error(`  reported: ${p}`);
      }
    }
  }
}
saveParserCache();
process.exit(failed ? 1 : 0);
