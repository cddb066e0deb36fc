#include "cli/commands.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "cli/discover.h"
#include "cli/escape.h"
#include "cli/output_paths.h"
#include "cli/report.h"
#include "imgpipe/pipeline.h"

namespace imgpipe::cli {
namespace fs = std::filesystem;

int RunProcess(const ProcessCommand& command, std::ostream& out, std::ostream& err,
               bool show_progress, ProcessFn process) {
  const fs::path outdir(command.outdir);
  Discovery discovery = DiscoverInputs(command.inputs, outdir);
  const std::vector<Variant> variants = VariantsOrImplicit(command.variants, command.options);
  Plan plan = PlanOutputs(discovery.files, outdir, OutputNaming{variants, command.keep_extension},
                          command.overwrite);

  Reporter reporter(out, err, show_progress);
  for (const SkippedEntry& skipped : discovery.skipped) {
    reporter.Skipped(skipped);
  }
  std::vector<FileFailure> rejected = std::move(discovery.failures);
  rejected.insert(rejected.end(), plan.failures.begin(), plan.failures.end());
  for (const FileFailure& failure : rejected) {
    reporter.Rejected(failure);
  }
  if (plan.files.empty() && rejected.empty()) {
    err << "imgpipe: no input files found\n";
  }

  reporter.Start(plan.files.size());
  BatchConfig config{command.options, command.jobs,      std::move(process),
                     outdir,          command.overwrite, variants};
  BatchStats stats = RunBatch(plan.files, config, reporter);
  stats.failed += rejected.size();
  rejected.insert(rejected.end(), stats.failures.begin(), stats.failures.end());
  stats.failures = std::move(rejected);
  reporter.Finish(stats);
  return WorstExitCode(stats.failures);
}

int RunInfo(const InfoCommand& command, std::ostream& out, std::ostream& err) {
  Discovery discovery = DiscoverInputs(command.files);
  for (const SkippedEntry& skipped : discovery.skipped) {
    err << FormatSkipped(skipped) << '\n';
  }
  std::vector<FileFailure> failures = std::move(discovery.failures);
  for (const FileFailure& failure : failures) {
    err << FormatFailure(failure) << '\n';
  }
  std::vector<uint8_t> buffer;
  for (const InputFile& file : discovery.files) {
    Status read = ReadFileInto(file.path, kDefaultMaxInputBytes, buffer);
    Result<Header> header = read ? Probe(buffer) : Result<Header>(read.error());
    if (!header) {
      failures.push_back({file.display, header.error()});
      err << FormatFailure(failures.back()) << '\n';
      continue;
    }
    out << EscapeForTerminal(file.display) << ": " << FormatName(header->format) << ' '
        << header->width << 'x' << header->height << " orientation=" << header->orientation
        << " channels=" << header->channels << " depth=" << header->bit_depth
        << (header->has_alpha ? " alpha" : "") << (header->animated ? " animated" : "");
    // HEIF/AVIF: the ftyp brand and the grid.
    if (!header->brand.empty()) {
      out << " brand=" << EscapeForTerminal(header->brand);
    }
    if (header->grid_tiles > 0) {
      out << " grid=" << header->grid_tiles << "x(" << header->tile_width << 'x'
          << header->tile_height << ')';
    }
    // The embedded ICC profile's description (JPEG, PNG, WebP, and HEIF/AVIF's `colr`): what
    // the colour step converts from.
    if (const std::string profile = IccDescription(EmbeddedIccProfile(buffer)); !profile.empty()) {
      out << " profile=\"" << EscapeForTerminal(profile) << '"';
    }
    out << '\n';
  }
  out.flush();
  return WorstExitCode(failures);
}

int RunCli(int argc, const char* const* argv, std::ostream& out, std::ostream& err,
           bool stderr_is_tty) {
  Command command = ParseCommandLine(argc, argv, out, err);
  if (auto* exit_now = std::get_if<ExitNow>(&command)) {
    return exit_now->code;
  }
  if (auto* info = std::get_if<InfoCommand>(&command)) {
    return RunInfo(*info, out, err);
  }
  return RunProcess(std::get<ProcessCommand>(command), out, err, stderr_is_tty);
}

}  // namespace imgpipe::cli
