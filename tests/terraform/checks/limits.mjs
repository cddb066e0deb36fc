// The module's validations and defaults agree with the core's limits and defaults, read from
// include/imgpipe/options.h, so that the two cannot drift: a size Terraform accepts is a size
// the binary accepts (1..kMaxTargetSide), and the defaults are the core's defaults.
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { repoRoot } from "../lib/hcl.mjs";
import { validate } from "../lib/vars.mjs";

function must(match, what) {
  if (!match) throw new Error(`include/imgpipe/options.h: cannot find ${what}`);
  return match;
}

// A C++ integer constant expression as written there: 100'000'000ull, 64ull << 20.
function cppInteger(text) {
  const clean = text
    .replace(/'/g, "")
    .replace(/(?<=\d)(ull|ul|u|ll|l)\b/gi, "")
    .trim();
  const shift = /^(\d+)\s*<<\s*(\d+)$/.exec(clean);
  if (shift) return Number(BigInt(shift[1]) << BigInt(shift[2]));
  if (/^\d+$/.test(clean)) return Number(clean);
  throw new Error(`include/imgpipe/options.h: cannot read the integer ${JSON.stringify(text)}`);
}

function enumNames(src, name) {
  const body = must(
    new RegExp(`enum class ${name}\\s*\\{([^}]*)\\}`).exec(src),
    `enum class ${name}`,
  )[1];
  return [...body.matchAll(/\bk([A-Z][A-Za-z0-9]*)/g)].map((m) => m[1].toLowerCase());
}

export function coreFacts(src) {
  const constant = (name) =>
    cppInteger(must(new RegExp(`${name}\\s*=\\s*([^;]+);`).exec(src), name)[1]);
  const field = (type, name) =>
    must(new RegExp(`${type}\\s+${name}\\s*=\\s*([^;]+);`).exec(src), `Options::${name}`)[1].trim();
  const quality = must(
    /int\s+quality\s*=\s*(\d+);[^\n]*?(\d+)\.\.(\d+)/.exec(src),
    "the quality default and range",
  );
  const rgb = ["r", "g", "b"].map((c) => Number(field("uint8_t", c)));
  return {
    maxSide: constant("kMaxTargetSide"),
    maxInputBytes: constant("kDefaultMaxInputBytes"),
    maxInputPixels: constant("kDefaultMaxInputPixels"),
    width: Number(field("uint32_t", "width")),
    height: Number(field("uint32_t", "height")),
    quality: { default: Number(quality[1]), min: Number(quality[2]), max: Number(quality[3]) },
    fits: enumNames(src, "Fit"),
    fit: field("Fit", "fit")
      .replace(/^Fit::k/, "")
      .toLowerCase(),
    formats: enumNames(src, "OutputFormat"),
    format: field("OutputFormat", "format")
      .replace(/^OutputFormat::k/, "")
      .toLowerCase(),
    grayscale: field("bool", "grayscale") === "true",
    withoutEnlargement: field("bool", "without_enlargement") === "true",
    background: `#${rgb.map((v) => v.toString(16).padStart(2, "0")).join("")}`,
  };
}

const COLOUR_NAMES = { white: "#ffffff", black: "#000000" };

export async function check(modules) {
  const core = coreFacts(readFileSync(join(repoRoot, "include/imgpipe/options.h"), "utf8"));
  const problems = [];
  for (const mod of modules) {
    const where = relative(repoRoot, mod.dir) || ".";
    // A root configuration (with a provider block) hands its values to a module that validates.
    if (mod.providers.length) continue;
    const variable = (name) => {
      const v = mod.variables.get(name);
      if (!v)
        problems.push(`${where}: no variable "${name}" (the core option has no Terraform input)`);
      return v;
    };
    const expectAccepts = async (name, value, why) => {
      if ((await validate(mod, name, value)).length)
        problems.push(
          `${where}: variable "${name}" rejects ${JSON.stringify(value)}, which the core accepts (${why})`,
        );
    };
    const expectRejects = async (name, value, why) => {
      if (!(await validate(mod, name, value)).length)
        problems.push(
          `${where}: variable "${name}" accepts ${JSON.stringify(value)}, which the core rejects (${why})`,
        );
    };
    const expectDefault = (name, actual, expected) => {
      if (JSON.stringify(actual) !== JSON.stringify(expected))
        problems.push(
          `${where}: variable "${name}" defaults to ${JSON.stringify(actual)}, the core to ${JSON.stringify(expected)}`,
        );
    };

    const max = core.maxSide;
    const size = variable("new_image_size");
    if (size) {
      for (const v of [
        [1, 1],
        [max, max],
        [1, max],
        [max, 1],
      ])
        await expectAccepts("new_image_size", v, `sides 1..${max}`);
      for (const v of [
        [0, 1],
        [1, 0],
        [max + 1, 1],
        [1, max + 1],
        [1.5, 2],
        [256],
        [256, 256, 256],
      ])
        await expectRejects("new_image_size", v, `sides are whole numbers 1..${max}`);
      expectDefault("new_image_size", size.body.default, [core.width, core.height]);
    }
    const quality = variable("quality");
    if (quality) {
      const { min, max: top } = core.quality;
      for (const v of [min, top]) await expectAccepts("quality", v, `${min}..${top}`);
      for (const v of [min - 1, top + 1, min + 0.5])
        await expectRejects("quality", v, `whole numbers ${min}..${top}`);
      expectDefault("quality", quality.body.default, core.quality.default);
    }
    for (const [name, def] of [
      ["max_input_bytes", core.maxInputBytes],
      ["max_input_pixels", core.maxInputPixels],
    ]) {
      const v = variable(name);
      if (!v) continue;
      await expectRejects(name, 0, "0 is invalid");
      await expectAccepts(name, def, "the core's default");
      expectDefault(name, v.body.default, def);
    }
    const fit = variable("fit");
    if (fit) {
      for (const name of core.fits) await expectAccepts("fit", name, "a Fit of the core");
      expectDefault("fit", fit.body.default, core.fit);
    }
    const format = variable("output_format");
    if (format) {
      for (const name of core.formats)
        await expectAccepts("output_format", name, "an OutputFormat of the core");
      expectDefault("output_format", format.body.default, core.format);
    }
    const grayscale = variable("grayscale");
    if (grayscale) expectDefault("grayscale", grayscale.body.default, core.grayscale);
    const enlarge = variable("without_enlargement");
    if (enlarge)
      expectDefault("without_enlargement", enlarge.body.default, core.withoutEnlargement);
    const background = variable("background");
    if (background) {
      const d = String(background.body.default).toLowerCase();
      const normal = COLOUR_NAMES[d] ?? (d.startsWith("#") ? d : `#${d}`);
      expectDefault("background", normal, core.background);
    }
  }
  return problems;
}
