#include "cli/args.h"

#include <CLI/CLI.hpp>
#include <optional>
#include <thread>

#include "cli/escape.h"
#include "cli/exit_code.h"
#include "cli/file_io.h"
#include "core/formats.h"

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
  auto variants = ParseVariants(json, defaults);
  if (!variants) {
    // "--variants[1].size: Expected ...", as VARIANTS[1].size names it for the function.
    const std::string& message = variants.error().message;
    err << "imgpipe: --variants" << (message.starts_with("[") ? "" : ": ")
        << EscapeForTerminal(message) << "\n";
    return std::nullopt;
  }
  return std::move(variants).value();
}

// Parses `text` with a core parser when the option was given; reports the core's message.
template <typename T, typename Parser>
bool ParseInto(const std::optional<std::string>& text, Parser parse, T& target, std::ostream& err) {
  if (!text) {
    return true;
  }
  auto parsed = parse(*text);
  if (!parsed) {
    err << "imgpipe: " << EscapeForTerminal(parsed.error().message) << "\n";
    return false;
  }
  target = static_cast<T>(*parsed);
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

  // Every value is taken as text and parsed by the core, so CLI and Lambda share messages.
  std::optional<std::string> size, fit, format, quality, background, max_bytes, max_pixels, jobs,
      shrink_on_load, variants;
  std::optional<std::string> max_progressive, max_interlaced, max_seconds;
  bool no_grayscale = false;
  bool without_enlargement = false;
  ProcessCommand process;

  CLI::App* proc = app.add_subcommand("process", "Resize + grayscale + encode images into OUTDIR");
  proc->add_option("inputs", process.inputs, "Input files and/or directories")
      ->required()
      ->type_name("INPUT...");
  proc->add_option("-o,--output", process.outdir, "Output directory (created if missing)")
      ->required()
      ->type_name("OUTDIR");
  proc->add_option("--size", size, "Target box WxH, each side 1..16383 (default 256x256)")
      ->type_name("WxH");
  proc->add_option("--fit", fit, "fill|cover|contain|inside (default fill)")->type_name("MODE");
  proc->add_option("--format", format, "Output format jpeg|png|webp (default jpeg)")
      ->type_name("FMT");
  proc->add_option("--quality", quality, "JPEG/WebP quality 1..100 (default 75)")->type_name("Q");
  proc->add_flag("--no-grayscale", no_grayscale,
                 "Keep colour (default: ITU-R 601 luma, 1 channel)");
  proc->add_option("--background", background,
                   "Colour for flattening alpha and for contain padding: #rrggbb, rrggbb, white, "
                   "black (default white)")
      ->type_name("COLOR");
  proc->add_flag("--without-enlargement", without_enlargement,
                 "Never upscale: an image smaller than the box keeps its size");
  proc->add_option("--shrink-on-load", shrink_on_load,
                   "fast|accurate (default fast): how far JPEG decoding may shrink before the "
                   "resize; accurate keeps fine textures closer to a full-resolution resize")
      ->type_name("MODE");
  proc->add_option("--max-input-bytes", max_bytes,
                   "Refuse files larger than this many bytes (default 67108864 = 64 MiB)")
      ->type_name("N");
  proc->add_option("--max-input-pixels", max_pixels,
                   "Refuse images whose header claims more pixels (default 100000000)")
      ->type_name("N");
  proc->add_option("--variants", variants,
                   "Several outputs per input: a JSON list of {\"name\", \"size\": [W, H], ...} "
                   "or @file.json; each goes to OUTDIR/<prefix or name/>/ (see below)")
      ->type_name("JSON|@FILE");
  proc->add_flag("--keep-extension", process.keep_extension,
                 "Keep the input's extension in output names: photo.png -> photo.png.jpg, so "
                 "photo.jpg and photo.png in one folder do not collide");
  proc->add_option("--max-progressive-pixels", max_progressive,
                   "Refuse progressive JPEGs over this many pixels, counted at 3 bytes of DCT "
                   "coefficients per pixel (default 16000000: 48 MB)")
      ->type_name("N");
  proc->add_option("--max-interlaced-pixels", max_interlaced,
                   "Refuse Adam7-interlaced PNGs over this many pixels (default 12000000)")
      ->type_name("N");
  proc->add_option("--max-seconds", max_seconds,
                   "Give up on an image still decoding after this many seconds, e.g. 2 or 0.5 "
                   "(deadline_exceeded; default: no limit)")
      ->type_name("S");
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

  Options& options = process.options;
  Size box{options.width, options.height};
  if (!ParseInto(size, ParseSize, box, err)) {
    return ExitNow{kUsageExitCode};
  }
  options.width = box.width;
  options.height = box.height;
  uint64_t jobs_value = DefaultJobs();
  if (!ParseInto(fit, ParseFit, options.fit, err) ||
      !ParseInto(format, ParseOutputFormat, options.format, err) ||
      !ParseInto(quality, ParseQuality, options.quality, err) ||
      !ParseInto(background, ParseColor, options.background, err) ||
      !ParseInto(shrink_on_load, ParseShrinkOnLoad, options.shrink_on_load, err) ||
      !ParseInto(
          max_bytes, [](std::string_view t) { return ParsePositive("max-input-bytes", t); },
          options.limits.max_input_bytes, err) ||
      !ParseInto(
          max_pixels, [](std::string_view t) { return ParsePositive("max-input-pixels", t); },
          options.limits.max_input_pixels, err) ||
      !ParseInto(
          max_progressive,
          [](std::string_view t) { return ParsePositive("max-progressive-pixels", t); },
          options.limits.max_progressive_pixels, err) ||
      !ParseInto(
          max_interlaced,
          [](std::string_view t) { return ParsePositive("max-interlaced-pixels", t); },
          options.limits.max_interlaced_pixels, err) ||
      !ParseInto(
          max_seconds, [](std::string_view t) { return ParseSeconds("max-seconds", t); },
          options.limits.max_seconds, err) ||
      !ParseInto(
          jobs, [](std::string_view t) { return ParsePositive("jobs", t); }, jobs_value, err)) {
    return ExitNow{kUsageExitCode};
  }
  if (jobs_value > kMaxJobs) {
    err << "imgpipe: Expected 1.." << kMaxJobs << " for jobs but received \""
        << EscapeForTerminal(*jobs) << "\"\n";
    return ExitNow{kUsageExitCode};
  }
  process.jobs = static_cast<unsigned>(jobs_value);
  options.grayscale = !no_grayscale;
  options.without_enlargement = without_enlargement;
  if (Status valid = Validate(options); !valid) {
    err << "imgpipe: " << EscapeForTerminal(valid.error().message) << "\n";
    return ExitNow{kUsageExitCode};
  }
  if (variants) {
    auto parsed = ParseVariantsArgument(*variants, options, err);
    if (!parsed) {
      return ExitNow{kUsageExitCode};
    }
    process.variants = std::move(*parsed);
  }
  return process;
}

}  // namespace imgpipe::cli
