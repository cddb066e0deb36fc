// A HEIC whose decoder child crashes costs that file only: the batch goes on with the others,
// reports the file with the signal, and exits with the bad-data code.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <sstream>

#include "cli/commands.h"
#include "cli/exit_code.h"
#include "cli/temp_dir.h"
#include "core/isolate.h"

namespace imgpipe::cli {
namespace {

using testing::TempDir;

std::string Sample(const std::string& name) {
  std::ifstream in(std::string(IMGPIPE_SOURCE_DIR) + "/tests/core/heif_samples/" + name,
                   std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(HeifBatch, ACrashingDecoderChildFailsOneFileAndTheBatchGoesOn) {
  TempDir tmp;
  tmp.Write("in/a.heic", Sample("photo.heic"));
  tmp.Write("in/b.avif", Sample("photo.avif"));
  tmp.Write("in/c.heic", Sample("alpha.heic"));
  ProcessCommand cmd;
  cmd.inputs = {(tmp / "in").string()};
  cmd.outdir = (tmp / "out").string();
  cmd.jobs = 1;
  // The first HEIF decode crashes (the hook is read per image), the rest must still run.
  std::ostringstream out;
  std::ostringstream err;
  core::SetChildFaultForTesting(core::ChildFault::kSegfault);
  const ProcessFn crash_first = [calls = 0](std::span<const uint8_t> bytes,
                                            std::span<const Variant> variants) mutable {
    Result<std::vector<Encoded>> result = ProcessVariants(bytes, variants);
    if (++calls == 1) {
      core::SetChildFaultForTesting(core::ChildFault::kNone);
    }
    return result;
  };
  const int code = RunProcess(cmd, out, err, false, crash_first);
  core::SetChildFaultForTesting(core::ChildFault::kNone);
  EXPECT_EQ(code, ExitCodeFor(ErrorCode::kCorruptImage)) << err.str();
  EXPECT_NE(err.str().find("a.heic"), std::string::npos) << err.str();
  EXPECT_NE(err.str().find("SIGSEGV"), std::string::npos) << err.str();
  EXPECT_NE(err.str().find("corrupt_image"), std::string::npos) << err.str();
  EXPECT_FALSE(std::filesystem::exists(tmp / "out/a.jpg"));
  EXPECT_TRUE(std::filesystem::exists(tmp / "out/b.jpg"));
  EXPECT_TRUE(std::filesystem::exists(tmp / "out/c.jpg"));
}

}  // namespace
}  // namespace imgpipe::cli
