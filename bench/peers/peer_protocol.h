// The line protocol every benchmark peer speaks, so one coordinator (bench/run.py) can drive
// long-running peers in interleaved rounds with start-up excluded:
//   argv[1] = corpus root; every file of every class folder is read into memory first.
//   stdin "run CLASS"          -> processes each image of CLASS once, prints {"ms":[...]}
//   stdin "save CLASS OUTDIR"  -> same, writes OUTDIR/<name>.jpg, prints {"ms":[...]}
//   stdin "quit"
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace bench {

struct Input {
  std::string name;
  std::vector<uint8_t> bytes;
};

// Returns false on failure (the coordinator reports it; a peer that fails is not fair to time).
using ProcessFn = std::function<bool(const std::vector<uint8_t>& in, std::vector<uint8_t>& out)>;

inline std::map<std::string, std::vector<Input>> LoadCorpus(const std::filesystem::path& root) {
  std::map<std::string, std::vector<Input>> corpus;
  for (const auto& dir : std::filesystem::directory_iterator(root)) {
    if (!dir.is_directory()) continue;
    std::vector<std::filesystem::path> files;
    for (const auto& f : std::filesystem::directory_iterator(dir)) {
      if (f.is_regular_file() && f.path().extension() != ".json") files.push_back(f.path());
    }
    std::sort(files.begin(), files.end());
    auto& list = corpus[dir.path().filename().string()];
    for (const auto& f : files) {
      // One read per file (not istreambuf_iterator's byte at a time): under callgrind the
      // loading otherwise dwarfs the work being measured.
      std::ifstream in(f, std::ios::binary);
      std::vector<uint8_t> bytes(std::filesystem::file_size(f));
      in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
      list.push_back({f.stem().string(), std::move(bytes)});
    }
  }
  return corpus;
}

inline int RunPeer(int argc, char** argv, const ProcessFn& process) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CORPUS_ROOT\n", argv[0]);
    return 2;
  }
  const auto corpus = LoadCorpus(argv[1]);
  std::vector<uint8_t> out;
  std::string line;
  while (std::getline(std::cin, line)) {
    std::istringstream words(line);
    std::string verb, cls, outdir;
    words >> verb >> cls >> outdir;
    if (verb == "quit") break;
    auto it = corpus.find(cls);
    if (it == corpus.end()) {
      std::printf("{\"error\":\"no class %s\"}\n", cls.c_str());
      std::fflush(stdout);
      continue;
    }
    std::string ms = "[";
    bool ok = true;
    for (const Input& input : it->second) {
      const auto start = std::chrono::steady_clock::now();
      ok = process(input.bytes, out) && ok;
      const double elapsed =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
              .count();
      ms += (ms.size() > 1 ? "," : "") + std::to_string(elapsed);
      if (verb == "save" && !outdir.empty()) {
        std::ofstream(std::filesystem::path(outdir) / (input.name + ".jpg"), std::ios::binary)
            .write(reinterpret_cast<const char*>(out.data()),
                   static_cast<std::streamsize>(out.size()));
      }
    }
    std::printf("{\"ms\":%s],\"ok\":%s}\n", ms.c_str(), ok ? "true" : "false");
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace bench
