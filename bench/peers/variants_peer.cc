// imgpipe making several outputs of one input (issue 11's variants), through its library API, in
// one long-running process. Modes (argv[1]):
//   one        ProcessVariants: one header read and one decode for all the variants
//   separate   one Process call per variant: one decode each, as three separate runs would do
//   tutorial   Process with the function-wide defaults only (the tutorial's 256x256 fill job)
// argv[2] is fast|accurate (the ShrinkOnLoad of every output), argv[3] the variants JSON (the
// bench's three; parsed by the core's own ParseVariants, so a missing field takes the same default
// as in the CLI and the Lambda), argv[4] the corpus root.
// Speaks the line protocol of peer_protocol.h; `save CLASS OUTDIR` writes OUTDIR/<name>.<variant>.
// <ext> per output (OUTDIR/<name>.jpg in tutorial mode). Replies carry "phases_ms": the pass's
// decode, resize and encode milliseconds (summed over the class) as the core measured them.
#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "imgpipe/pipeline.h"
#include "imgpipe/variants.h"
#include "peer_protocol.h"

namespace {

enum class Mode { kOne, kSeparate, kTutorial };

struct Output {
  std::string suffix;  // ".thumb.webp"; ".jpg" in tutorial mode
  std::vector<uint8_t> bytes;
};

// Where the time of a class pass went, from the core's own StepTimings. In `one` mode every
// output repeats the shared decode time, so it is counted once; the shared colour step (nothing
// for an untagged JPEG) is counted in each output's resize time.
struct Phases {
  double decode = 0;
  double resize = 0;
  double encode = 0;
};

void Add(Phases& phases, const imgpipe::StepTimings& t, bool count_decode) {
  phases.decode += count_decode ? t.decode_ms : 0;
  phases.resize += t.resize_ms;
  phases.encode += t.encode_ms;
}

bool Run(Mode mode, const std::vector<imgpipe::Variant>& variants, const imgpipe::Options& tutorial,
         const std::vector<uint8_t>& in, std::vector<Output>& outputs, Phases& phases) {
  outputs.clear();
  if (mode == Mode::kTutorial) {
    auto result = imgpipe::Process(in, tutorial);
    if (!result.ok()) {
      return false;
    }
    Add(phases, result->timings, true);
    outputs.push_back({".jpg", std::move(result->bytes)});
    return true;
  }
  auto suffix = [](const imgpipe::Variant& v) {
    return "." + v.name + "." + imgpipe::OutputExtension(v.options.format);
  };
  if (mode == Mode::kOne) {
    auto result = imgpipe::ProcessVariants(in, variants);
    if (!result.ok()) {
      return false;
    }
    for (size_t i = 0; i < variants.size(); ++i) {
      Add(phases, (*result)[i].timings, i == 0);
      outputs.push_back({suffix(variants[i]), std::move((*result)[i].bytes)});
    }
    return true;
  }
  for (const imgpipe::Variant& variant : variants) {
    auto result = imgpipe::Process(in, variant.options);
    if (!result.ok()) {
      return false;
    }
    Add(phases, result->timings, true);
    outputs.push_back({suffix(variant), std::move(result->bytes)});
  }
  return true;
}

int Main(int argc, char** argv) {
  if (argc < 5) {
    (void)std::fprintf(
        stderr, "usage: %s one|separate|tutorial fast|accurate VARIANTS_JSON CORPUS\n", argv[0]);
    return 2;
  }
  const std::string_view mode_name = argv[1];
  if (mode_name != "one" && mode_name != "separate" && mode_name != "tutorial") {
    (void)std::fprintf(stderr, "variants_peer: unknown mode %s\n", argv[1]);
    return 2;
  }
  const Mode mode = mode_name == "one"        ? Mode::kOne
                    : mode_name == "separate" ? Mode::kSeparate
                                              : Mode::kTutorial;
  imgpipe::Options defaults;  // the tutorial's: 256x256 fill, gray, JPEG q75
  auto shrink = imgpipe::ParseShrinkOnLoad(argv[2]);
  if (!shrink.ok()) {
    (void)std::fprintf(stderr, "%s\n", shrink.error().message.c_str());
    return 2;
  }
  defaults.shrink_on_load = *shrink;
  auto variants = imgpipe::ParseVariants(argv[3], defaults);
  if (!variants.ok()) {
    (void)std::fprintf(stderr, "variants: %s\n", variants.error().message.c_str());
    return 2;
  }
  const auto corpus = bench::LoadCorpus(argv[4]);
  std::vector<Output> outputs;
  std::string line;
  while (std::getline(std::cin, line)) {
    std::istringstream words(line);
    std::string verb, cls, outdir;
    words >> verb >> cls >> outdir;
    if (verb == "quit") {
      break;
    }
    auto it = corpus.find(cls);
    if (it == corpus.end()) {
      (void)std::printf("{\"error\":\"no class %s\"}\n", cls.c_str());
      (void)std::fflush(stdout);
      continue;
    }
    std::string ms = "[";
    bool ok = true;
    Phases phases;
    for (const bench::Input& input : it->second) {
      const auto start = std::chrono::steady_clock::now();
      ok = Run(mode, *variants, defaults, input.bytes, outputs, phases) && ok;
      const double elapsed =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
              .count();
      ms += (ms.size() > 1 ? "," : "") + std::to_string(elapsed);
      if (verb == "save" && !outdir.empty()) {
        for (const Output& out : outputs) {
          std::ofstream(std::filesystem::path(outdir) / (input.name + out.suffix), std::ios::binary)
              .write(reinterpret_cast<const char*>(out.bytes.data()),
                     static_cast<std::streamsize>(out.bytes.size()));
        }
      }
    }
    (void)std::printf("{\"ms\":%s],\"ok\":%s,\"phases_ms\":[%f,%f,%f]}\n", ms.c_str(),
                      ok ? "true" : "false", phases.decode, phases.resize, phases.encode);
    (void)std::fflush(stdout);
  }
  return 0;
}

}  // namespace

// A failing allocation or stream is reported, not left to std::terminate.
int main(int argc, char** argv) {
  try {
    return Main(argc, argv);
  } catch (const std::exception& e) {
    (void)std::fprintf(stderr, "variants_peer: %s\n", e.what());
    return 1;
  }
}
