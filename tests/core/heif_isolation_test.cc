// The HEIF decoder's isolation (a child that crashes, aborts, hangs, spins or allocates without
// bound costs one image, with the reason named) and its limits at the container boundary (the
// coded size and the grid are refused before libheif or any pixel buffer exists).
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "core/decode.h"
#include "core/heif_library.h"
#include "core/isolate.h"
#include "heif_testing.h"

namespace imgpipe::core {
namespace {

using testing::HeifSample;
using Bytes = std::vector<uint8_t>;

Result<Image> DecodeBytes(const Bytes& bytes, const Limits& limits = {}) {
  auto header = ReadHeader(bytes);
  if (!header) {
    return header.error();
  }
  DecodeRequest request;
  request.limits = limits;
  return Decode(bytes, *header, request);
}

// Resets the fault hook however the test ends.
struct FaultScope {
  explicit FaultScope(ChildFault fault) { SetChildFaultForTesting(fault); }
  ~FaultScope() { SetChildFaultForTesting(ChildFault::kNone); }
  FaultScope(const FaultScope&) = delete;
  FaultScope& operator=(const FaultScope&) = delete;
};

TEST(HeifIsolationTest, ACrashingChildIsCorruptImageNamingTheSignal) {
  const Bytes photo = HeifSample("photo.heic");
  {
    FaultScope crash(ChildFault::kSegfault);
    auto image = DecodeBytes(photo);
    ASSERT_FALSE(image.ok());
    EXPECT_EQ(image.error().code, ErrorCode::kCorruptImage);
    EXPECT_NE(image.error().message.find("SIGSEGV"), std::string::npos) << image.error().message;
  }
  {
    FaultScope abort(ChildFault::kAbort);
    auto image = DecodeBytes(photo);
    ASSERT_FALSE(image.ok());
    EXPECT_NE(image.error().message.find("SIGABRT"), std::string::npos) << image.error().message;
  }
  // This process is unharmed: the next image decodes.
  auto next = DecodeBytes(photo);
  ASSERT_TRUE(next.ok()) << next.error().message;
  EXPECT_EQ(next->width, 240u);
}

int Spin(void* /*arg*/) {
  for (;;) {
    asm volatile("");  // a loop the compiler may not remove
  }
}

int Allocate(void* /*arg*/) {
  void* block = std::malloc(size_t{2} << 30);  // 2 GiB, far over the child's budget
  if (block == nullptr) {
    return 7;
  }
  std::free(block);
  return 0;
}

int Nothing(void* arg) { return *static_cast<int*>(arg); }

TEST(HeifIsolationTest, HangsAndSpinsAndRunawayAllocationsAreBounded) {
  ChildLimits limits;
  limits.wall_ms = 300;
  {
    FaultScope hang(ChildFault::kHang);
    int unused = 0;
    const auto start = std::chrono::steady_clock::now();
    auto hung = RunInChild("test child", limits, Nothing, &unused);
    ASSERT_FALSE(hung.ok());
    EXPECT_NE(hung.error().message.find("300 ms time limit"), std::string::npos)
        << hung.error().message;
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  }
  limits.cpu_seconds = 1;
  limits.wall_ms = 10'000;
  auto spun = RunInChild("test child", limits, Spin, nullptr);
  ASSERT_FALSE(spun.ok());
  EXPECT_NE(spun.error().message.find("SIGXCPU"), std::string::npos) << spun.error().message;
  limits.address_space_bytes = 64u << 20;
  auto allocated = RunInChild("test child", limits, Allocate, nullptr);
  // malloc fails inside the child's address-space limit: status 7 (or, under ASan, whose
  // allocator reports the failure and exits or aborts, some other death). Never a success.
  if (allocated.ok()) {
    EXPECT_NE(*allocated, 0);
  } else {
    EXPECT_EQ(allocated.error().code, ErrorCode::kCorruptImage);
  }
}

TEST(HeifIsolationTest, DecodesFromManyThreadsAtOnce) {
  // Forking while other threads run (the Lambda runtime's concurrent records).
  const Bytes photo = HeifSample("photo.heic");
  const Bytes avif = HeifSample("grid.avif");
  std::atomic<int> good{0};
  constexpr int kThreads = 4;
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 3; ++i) {
        auto image = DecodeBytes(t % 2 == 0 ? photo : avif);
        good += image.ok() ? 1 : 0;
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  EXPECT_EQ(good.load(), 12);
}

double CpuMs() {
  double ms = 0;
  for (int who : {RUSAGE_SELF, RUSAGE_CHILDREN}) {
    rusage usage{};
    (void)getrusage(who, &usage);
    for (const timeval& t : {usage.ru_utime, usage.ru_stime}) {
      ms += static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_usec) / 1e3;
    }
  }
  return ms;
}

// The cost of the isolation itself (fork, limits, wait, reap) with an empty decode. CPU time
// (parent and child) is what the isolation costs; wall time adds the wait for a free core,
// which on a loaded machine is most of it.
TEST(HeifIsolationTest, ForkOverheadPerImageIsSmall) {
  ChildLimits limits;
  limits.wall_ms = 5000;
  limits.cpu_seconds = 5;
  limits.address_space_bytes = 256u << 20;
  int status = 3;
  constexpr int kRounds = 100;
  const double cpu_start = CpuMs();
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kRounds; ++i) {
    auto done = RunInChild("test child", limits, Nothing, &status);
    ASSERT_TRUE(done.ok());
    ASSERT_EQ(*done, 3);
  }
  const double wall =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count() /
      kRounds;
  const double cpu = (CpuMs() - cpu_start) / kRounds;
  std::printf("isolation per image: %.3f ms CPU, %.3f ms wall\n", cpu, wall);
  // The target is < 1 ms. fork() copies the page tables, whose cost depends on the machine: on
  // the paravirtualised (PVM) build machines each page-table update traps, and this test binary
  // measured ~7 ms CPU (docs/formats.md, "Isolation", has the figures). This bound only catches
  // a regression such as an accidental copy of the input or the pixels per image.
  EXPECT_LT(cpu, 20.0);
}

TEST(HeifLibraryTest, AMissingLibraryIsUnsupportedFormatNotACrash) {
  auto api = LoadHeifFrom("libheif-not-installed.so.1");
  ASSERT_FALSE(api.ok());
  EXPECT_EQ(api.error().code, ErrorCode::kUnsupportedFormat);
  EXPECT_NE(api.error().message.find("HEIF support not installed"), std::string::npos);
  auto real = LoadHeif();
  ASSERT_TRUE(real.ok()) << real.error().message;
  EXPECT_NE(std::string((*real)->get_version()).find("1."), std::string::npos);
}

// --- A hand-built container, for sizes and grids no encoder would write -----------------------

void Put32(Bytes* out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    out->push_back(static_cast<uint8_t>(v >> shift));
  }
}
void Put16(Bytes* out, uint32_t v) {
  out->push_back(static_cast<uint8_t>(v >> 8));
  out->push_back(static_cast<uint8_t>(v));
}
Bytes MakeBox(const char* type, const Bytes& payload, int version = -1) {
  Bytes box;
  Put32(&box, static_cast<uint32_t>(8 + payload.size() + (version >= 0 ? 4 : 0)));
  box.insert(box.end(), type, type + 4);
  if (version >= 0) {
    Put32(&box, static_cast<uint32_t>(version) << 24);
  }
  box.insert(box.end(), payload.begin(), payload.end());
  return box;
}
Bytes Cat(std::initializer_list<Bytes> parts) {
  Bytes all;
  for (const Bytes& part : parts) {
    all.insert(all.end(), part.begin(), part.end());
  }
  return all;
}
Bytes Ispe(uint32_t w, uint32_t h) {
  Bytes p;
  Put32(&p, w);
  Put32(&p, h);
  return MakeBox("ispe", p, 0);
}
Bytes Infe(uint32_t id, const char* type) {
  Bytes p;
  Put16(&p, id);
  Put16(&p, 0);
  p.insert(p.end(), type, type + 4);
  return MakeBox("infe", p, 2);
}

// Item 1 is the primary image (a grid of `tiles` references to item 2 when tiles > 0).
Bytes Container(uint32_t w, uint32_t h, uint32_t tiles, uint32_t tile_w, uint32_t tile_h) {
  Bytes ftyp;
  ftyp.insert(ftyp.end(), {'h', 'e', 'i', 'c', 0, 0, 0, 0, 'm', 'i', 'f', '1'});
  Bytes pitm;
  Put16(&pitm, 1);
  Bytes iinf;
  Put16(&iinf, 2);
  iinf = Cat({iinf, Infe(1, tiles > 0 ? "grid" : "hvc1"), Infe(2, "hvc1")});
  Bytes dimg;
  Put16(&dimg, 1);
  Put16(&dimg, tiles);
  for (uint32_t i = 0; i < tiles; ++i) {
    Put16(&dimg, 2);
  }
  Bytes ipma;
  Put32(&ipma, 2);
  ipma.insert(ipma.end(), {0, 1, 1, 0x81, 0, 2, 1, 0x82});
  const Bytes iprp = MakeBox("iprp", Cat({MakeBox("ipco", Cat({Ispe(w, h), Ispe(tile_w, tile_h)})),
                                          MakeBox("ipma", ipma, 0)}));
  const Bytes meta = MakeBox("meta",
                             Cat({MakeBox("pitm", pitm, 0), MakeBox("iinf", iinf, 0),
                                  MakeBox("iref", MakeBox("dimg", dimg), 0), iprp}),
                             0);
  return Cat({MakeBox("ftyp", ftyp), meta, MakeBox("mdat", Bytes(64, 0))});
}

TEST(HeifLimitsTest, CodedSizeAndGridAreRefusedBeforeAnyDecoding) {
  // With a crashing child armed, any decode attempt would say SIGSEGV: these never get there.
  FaultScope crash(ChildFault::kSegfault);
  struct Case {
    Bytes file;
    const char* message;
  };
  const Case cases[] = {
      {Container(60000, 60000, 0, 0, 0), "60000x60000 = 3600 MP, over the 100 MP limit"},
      {Container(4096, 4096, 5000, 64, 64), "5000 tiles, over the 4096 tile limit"},
      {Container(512, 512, 4, 20000, 20000), "20000x20000, over the 16384 pixel side limit"},
      {Container(8192, 8192, 1024, 512, 512), "1024 tiles holds 268435456 pixels"},
  };
  for (const Case& c : cases) {
    auto header = ReadHeader(c.file);
    ASSERT_TRUE(header.ok()) << header.error().message;
    auto image = DecodeBytes(c.file);
    ASSERT_FALSE(image.ok()) << c.message;
    EXPECT_EQ(image.error().code, ErrorCode::kTooManyPixels) << image.error().message;
    EXPECT_NE(image.error().message.find(c.message), std::string::npos) << image.error().message;
  }
  // The same grid within the limits reaches the child (armed to crash here).
  auto fine = DecodeBytes(Container(1024, 1024, 4, 512, 512));
  ASSERT_FALSE(fine.ok());
  EXPECT_NE(fine.error().message.find("SIGSEGV"), std::string::npos) << fine.error().message;
  // And a lower max_input_pixels refuses a real photo before the child.
  Limits small;
  small.max_input_pixels = 10'000;
  auto photo = DecodeBytes(HeifSample("photo.heic"), small);
  ASSERT_FALSE(photo.ok());
  EXPECT_EQ(photo.error().code, ErrorCode::kTooManyPixels) << photo.error().message;
}

TEST(HeifLimitsTest, HandBuiltHeaderReportsTheGrid) {
  auto header = ReadHeader(Container(1024, 768, 6, 512, 512));
  ASSERT_TRUE(header.ok()) << header.error().message;
  EXPECT_EQ(header->grid_tiles, 6u);
  EXPECT_EQ(header->tile_width, 512u);
  EXPECT_EQ(header->width, 1024u);
  EXPECT_EQ(header->height, 768u);
  // Every prefix of a valid container is refused cleanly by the parser, never read past.
  const Bytes whole = Container(1024, 768, 6, 512, 512);
  for (size_t n = 1; n + 64 < whole.size(); ++n) {
    auto cut = ReadHeader(Bytes(whole.begin(), whole.begin() + static_cast<ptrdiff_t>(n)));
    if (!cut.ok()) {
      EXPECT_NE(cut.error().code, ErrorCode::kInternal);
    }
  }
}

}  // namespace
}  // namespace imgpipe::core
