#include "cli/args.h"

#include <CLI/CLI.hpp>
#include <deque>
#include <optional>
#include <thread>

#include "cli/escape.h"
#include "cli/exit_code.h"
#include "cli/file_io.h"
#include "core/formats.h"
#include "options/option_table.h"

#ifndef IMGPIPE_VERSION
#define IMGPIPE_VERSION "unknown"
#endif

namespace imgpipe::cli {
namespace {

constexpr const char* kMainFooter = R"(
Commands:
  process   resize + grayscale + encode images (files or whole directory trees) into OUTDIR
  info      print format, size, EXIF orientation, channels and bit depth of images

Examples:
  imgpipe process photo.jpg -o out                      # out/photo.jpg, 256x256 gray JPEG q75
  imgpipe process --size 512x512 --fit cover photos/ -o thumbs
  imgpipe info photos/*.jpg

Run `imgpipe process --help` for every option. Exit codes: 0 all files ok, 1 bad image data,
2 usage/invalid options, 3 I/O (missing file, output collision, cannot write), 4 over a limit,
5 internal. With several failures the highest code wins.
)";

constexpr const char* kProcessFooter = R"(
Inputs are files or directories (walked recursively; hidden entries, non-regular files and
OUTDIR itself are skipped; files are processed in sorted order). The format is detected from
the bytes, never the file name. Formats: {formats}.
EXIF orientation is applied; in HEIF and AVIF the container's rotation, mirror and crop are
applied instead, and their EXIF orientation is ignored.

Each output keeps the input's path relative to its directory argument (a plain file argument
goes to OUTDIR/<basename>) with the output format's extension: `photos/2024/a.png` given as
`photos` becomes OUTDIR/2024/a.jpg. Nothing that exists is replaced unless you ask:
  - a file already at an output path (your own photo.jpg, or a previous run's output) is
    refused and left as it is; --overwrite replaces it. To refresh a previous run into the same
    OUTDIR, run again with --overwrite.
  - an input is never overwritten, not even with --overwrite;
  - when two inputs map to the same output, the second fails instead of overwriting the first;
  - outputs are never written through a symlink below OUTDIR (a symlinked subdirectory or a
    symlink at the output name is refused); OUTDIR itself may be a symlink.
Symlinks to files are followed (read like the file); symlinked directories are not walked;
dangling and looping symlinks are reported as skipped.

Variants (--variants): several outputs of each input from one read and one decode, e.g.
  --variants '[{"name": "thumb", "size": [256, 256], "fit": "cover", "format": "webp"},
               {"name": "large", "size": [2048, 2048], "fit": "inside"}]'
Fields: name (required, a-z 0-9 _ -, up to 32) and size (required, [W, H]); optional fit,
format, quality, grayscale, background, without_enlargement, shrink_on_load and prefix. A
missing field takes the value of the flag (--fit, --format, ...). Each output goes to
OUTDIR/<prefix, default name + "/"><relative path>.<ext>: thumb/photo.webp, large/photo.jpg.

Fit modes for --size WxH:
  fill     exactly WxH, aspect ratio ignored (the tutorial's Image.resize behaviour)
  cover    exactly WxH, aspect kept, the overflow cropped around the centre
  contain  fits inside WxH, aspect kept, padded to WxH with --background
  inside   fits inside WxH, aspect kept, no padding (output may be smaller)

A file that fails is reported on stderr as `path: reason (error_name)` and the rest of the
batch continues. Control characters, DEL and invalid UTF-8 in names are printed escaped
(`\n`, `\x1b`, `\xff`; a backslash as `\\`), so a file name cannot forge a report line or
drive the terminal. A progress bar is drawn on stderr when it is a terminal; a one-line
summary is printed on stdout at the end.

Exit codes: 0 all ok, 1 bad image data, 2 usage/invalid options, 3 I/O, 4 over a limit,
5 internal; with several failures the highest code wins.

Examples:
  imgpipe process photo.jpg -o out
      out/photo.jpg: 256x256, grayscale, JPEG quality 75 (the tutorial's job)
  imgpipe process --overwrite photos/ -o thumbs
      re-run into the same OUTDIR, replacing the previous run's outputs
  imgpipe process --size 1024x768 --fit inside --no-grayscale --format webp photos/ -o web
  imgpipe process --fit contain --background '#000000' --format png logo.png -o out
  imgpipe process --jobs 1 --max-input-pixels 50000000 uploads/ -o thumbs
)";

// --variants takes the JSON itself or `@file.json`; a file is read within the same cap the core
// applies to the text, so a wrong path (a device, a huge file) cannot stall the parse.
std::optional<std::vector<Variant>> ParseVariantsArgument(const std::string& text,
                                                          const Options& defaults,
                                                          std::ostream& err) {
  std::string json = text;
  if (!text.empty() && text.front() == '@') {
    std::vector<uint8_t> bytes;
    constexpr uint64_t kMaxVariantsFileBytes = uint64_t{64} * 1024;
    if (Status read = ReadFileInto(text.substr(1), kMaxVariantsFileBytes, bytes); !read) {
      err << "imgpipe: --variants " << EscapeForTerminal(text) << ": "
          << EscapeForTerminal(read.error().message) << "\n";
      return std::nullopt;
    }
    json.assign(bytes.begin(), bytes.end());
  }
  // "--variants[1].size: Expected ...", as VARIANTS[1].size names it for the function.
  auto variants = ParseVariantsFrom("--variants", json, defaults);
  if (!variants) {
    err << "imgpipe: " << EscapeForTerminal(variants.error().message) << "\n";
    return std::nullopt;
  }
  return std::move(variants).value();
}

// The flags of the shared option table (options/option_table.h), as CLI11 fills them: the text
// of an option that takes a value, or whether a switch was given.
struct TableFlags {
  std::vector<std::optional<std::string>> values;
  std::deque<bool> switches;  // a deque: CLI11 keeps a reference to each element
};

// The table's help with the default in the flag's syntax: "JPEG/WebP quality 1..100 (default 75)."
std::string FlagHelp(const options::OptionSpec& spec) {
  if (spec.placeholder == nullptr) {
    return spec.switch_help != nullptr ? spec.switch_help : spec.help;
  }
  std::string help = spec.help;
  const char* shown = spec.flag_default != nullptr ? spec.flag_default : spec.default_value;
  if (*shown != '\0') {
    const bool period = help.ends_with('.');
    if (period) {
      help.pop_back();
    }
    help.append(" (default ").append(shown).append(period ? ")." : ")");
  }
  return help;
}

// Adds every option of the table that has a flag, in the table's order, filling `flags`.
void AddTableFlags(CLI::App& app, TableFlags& flags) {
  const auto table = options::OptionTable();
  flags.values.resize(table.size());
  flags.switches.resize(table.size());
  for (size_t i = 0; i < table.size(); ++i) {
    const options::OptionSpec& spec = table[i];
    if (spec.flag == nullptr) {
      continue;
    }
    if (spec.placeholder == nullptr) {
      app.add_flag(spec.flag, flags.switches[i], FlagHelp(spec));
    } else {
      app.add_option(spec.flag, flags.values[i], FlagHelp(spec))->type_name(spec.placeholder);
    }
  }
}

// Applies what was given onto `settings` (which starts from the defaults, Settings{}); a bad
// value is reported as `imgpipe: --quality: <core's message>`, as Lambda reports `QUALITY: ...`.
bool ApplyTableFlags(const TableFlags& flags, options::Settings& settings, std::ostream& err) {
  const auto table = options::OptionTable();
  for (size_t i = 0; i < table.size(); ++i) {
    const options::OptionSpec& spec = table[i];
    const std::optional<std::string> text =
        flags.switches[i] ? std::optional<std::string>(spec.switch_sets) : flags.values[i];
    if (!text) {
      continue;
    }
    if (Status parsed = options::ParseFlagValue(spec, *text, settings); !parsed) {
      err << "imgpipe: " << spec.flag << ": " << EscapeForTerminal(parsed.error().message) << "\n";
      return false;
    }
  }
  return true;
}

}  // namespace

unsigned DefaultJobs() {
  const unsigned cores = std::thread::hardware_concurrency();
  return cores == 0 ? 1 : std::min(cores, kMaxJobs);
}

Command ParseCommandLine(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  CLI::App app{
      "imgpipe: resize, grayscale and re-encode images (a C++ take on the AWS tutorial's "
      "Pillow thumbnail function)",
      "imgpipe"};
  app.set_version_flag("--version", std::string("imgpipe ") + IMGPIPE_VERSION);
  app.require_subcommand(1);
  app.footer(kMainFooter);

  // Every value is taken as text and parsed by the option table's parsers, so CLI and Lambda
  // share flags' meaning, defaults and messages.
  std::optional<std::string> jobs;
  ProcessCommand process;

  CLI::App* proc = app.add_subcommand("process", "Resize + grayscale + encode images into OUTDIR");
  proc->add_option("inputs", process.inputs, "Input files and/or directories")
      ->required()
      ->type_name("INPUT...");
  proc->add_option("-o,--output", process.outdir, "Output directory (created if missing)")
      ->required()
      ->type_name("OUTDIR");
  TableFlags table_flags;
  AddTableFlags(*proc, table_flags);
  proc->add_flag("--overwrite", process.overwrite,
                 "Replace files that already exist at output paths (e.g. a previous run's "
                 "outputs); without it they are refused and left as they are");
  proc->add_option("-j,--jobs", jobs,
                   "Worker threads 1..1024 (default: number of cores, here " +
                       std::to_string(DefaultJobs()) + ")")
      ->type_name("N");
  // The format list comes from the core's format table, so help cannot fall behind it.
  std::string process_footer = kProcessFooter;
  process_footer.replace(process_footer.find("{formats}"), 9, core::InputFormatList(", "));
  proc->footer(process_footer);

  InfoCommand info;
  CLI::App* inf = app.add_subcommand(
      "info", "Print format, size, orientation, channels and bit depth, one line per file");
  inf->add_option("files", info.files, "Image files and/or directories")
      ->required()
      ->type_name("FILE...");
  inf->footer(R"(
Output: `path: FORMAT WxH orientation=N channels=C depth=D [alpha] [animated]` on stdout, and
for HEIF/AVIF ` brand=B [grid=Nx(WxH)]` (the ftyp brand, the tiles of a grid image), then
` profile="..."` when the file embeds an ICC profile (its description); a file
that cannot be read is reported on stderr as `path: reason (error_name)` and the exit code is
non-zero (same codes as `process`).

Example:
  imgpipe info samples/photos
)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e, out, err);
    return ExitNow{code == 0 ? 0 : kUsageExitCode};
  }

  if (inf->parsed()) {
    return info;
  }

  options::Settings settings;
  uint64_t jobs_value = DefaultJobs();
  if (!ApplyTableFlags(table_flags, settings, err)) {
    return ExitNow{kUsageExitCode};
  }
  if (jobs) {
    auto parsed = ParsePositive("jobs", *jobs);
    if (!parsed) {
      err << "imgpipe: --jobs: " << EscapeForTerminal(parsed.error().message) << "\n";
      return ExitNow{kUsageExitCode};
    }
    jobs_value = *parsed;
  }
  if (jobs_value > kMaxJobs) {
    err << "imgpipe: --jobs: Expected 1.." << kMaxJobs << " for jobs but received \""
        << EscapeForTerminal(*jobs) << "\"\n";
    return ExitNow{kUsageExitCode};
  }
  process.jobs = static_cast<unsigned>(jobs_value);
  process.options = settings.options;
  process.keep_extension = settings.keep_extension;
  if (Status valid = Validate(process.options); !valid) {
    err << "imgpipe: " << EscapeForTerminal(valid.error().message) << "\n";
    return ExitNow{kUsageExitCode};
  }
  // Given as text (or @file), parsed last: a variant's missing fields take the flags' values.
  // An empty list is no variants, as an empty VARIANTS is.
  if (!settings.variants.empty()) {
    auto parsed = ParseVariantsArgument(settings.variants, process.options, err);
    if (!parsed) {
      return ExitNow{kUsageExitCode};
    }
    process.variants = std::move(*parsed);
  }
  return process;
}

}  // namespace imgpipe::cli
