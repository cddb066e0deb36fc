// The format table (core/formats.h) against everything derived from it or kept beside it: the
// sniffer and decode dispatch, the "not a ..." message, and the lists outside C++ that cannot
// include it (the Terraform notification filter, the local stack's filter, the demo's find, the
// docs). Adding a format row without updating those fails here.
#include "core/formats.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iterator>
#include <set>
#include <string>

#include "core/decode.h"
#include "core/sniff.h"

namespace imgpipe::core {
namespace {

std::string RepoFile(const std::string& path) {
  std::ifstream in(std::string(IMGPIPE_SOURCE_DIR) + "/" + path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string Upper(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

// Every ".ext" in lower and upper case, as S3's case-sensitive suffix filters need them.
std::set<std::string> TableSuffixes() {
  std::set<std::string> suffixes;
  for (const FormatEntry& entry : InputFormats()) {
    for (std::string_view ext : entry.extensions) {
      suffixes.insert("." + std::string(ext));
      suffixes.insert("." + Upper(ext));
    }
  }
  return suffixes;
}

// The quoted ".xxx" strings between `start` and the next `end` in `text`.
std::set<std::string> QuotedSuffixes(const std::string& text, const std::string& start,
                                     const std::string& end) {
  std::set<std::string> found;
  const size_t from = text.find(start);
  EXPECT_NE(from, std::string::npos) << start;
  const size_t to = text.find(end, from + start.size());
  const std::string block = text.substr(from, to - from);
  for (size_t at = block.find('.'); at != std::string::npos; at = block.find('.', at + 1)) {
    size_t stop = at + 1;
    while (stop < block.size() && std::isalnum(static_cast<unsigned char>(block[stop]))) {
      ++stop;
    }
    if (stop > at + 1) {
      found.insert(block.substr(at, stop - at));
    }
  }
  return found;
}

TEST(FormatTableTest, EveryFormatHasOneRowAndTheSnifferAndDispatchUseIt) {
  std::set<Format> seen;
  for (const FormatEntry& entry : InputFormats()) {
    EXPECT_TRUE(seen.insert(entry.format).second) << FormatName(entry.format);
    EXPECT_EQ(FindFormat(entry.format), &entry);
    EXPECT_FALSE(entry.extensions.empty());
    EXPECT_EQ(entry.mime_type.substr(0, 6), "image/");
  }
  for (Format f :
       {Format::kJpeg, Format::kPng, Format::kWebp, Format::kGif, Format::kHeif, Format::kAvif}) {
    EXPECT_TRUE(seen.count(f)) << FormatName(f) << " has no row";
  }
  EXPECT_EQ(FindFormat(Format::kUnknown), nullptr);
  EXPECT_EQ(InputFormatList(), "JPEG, PNG, WebP, GIF, HEIF or AVIF");
  auto text = ReadHeader(std::vector<uint8_t>{'h', 'e', 'l', 'l', 'o'});
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.error().message,
            "not a " + InputFormatList() + " image (unrecognised magic bytes)");
}

TEST(FormatTableTest, TerraformNotificationFilterListsEveryExtension) {
  const std::string tf = RepoFile("terraform/notification.tf");
  EXPECT_EQ(QuotedSuffixes(tf, "image_suffixes = [", "]"), TableSuffixes());
}

TEST(FormatTableTest, LocalStackFilterListsEveryExtension) {
  const std::string config = RepoFile("local/lib/config.js");
  EXPECT_EQ(QuotedSuffixes(config, "'IMGPIPE_FILTER_SUFFIXES', '", "'"), TableSuffixes());
}

TEST(FormatTableTest, DemoUploadsEveryExtension) {
  const std::string demo = RepoFile("scripts/demo.sh");
  for (const FormatEntry& entry : InputFormats()) {
    for (std::string_view ext : entry.extensions) {
      EXPECT_NE(demo.find("-iname '*." + std::string(ext) + "'"), std::string::npos) << ext;
    }
  }
}

TEST(FormatTableTest, FormatsDocListsEveryFormatAndItsMessage) {
  const std::string doc = RepoFile("docs/formats.md");
  for (const FormatEntry& entry : InputFormats()) {
    EXPECT_NE(doc.find("| " + std::string(entry.display_name) + " |"), std::string::npos)
        << entry.display_name << " has no row in the docs' format table";
    for (std::string_view ext : entry.extensions) {
      EXPECT_NE(doc.find("`." + std::string(ext) + "`"), std::string::npos) << ext;
    }
  }
  EXPECT_NE(doc.find("not a " + InputFormatList() + " image"), std::string::npos);
}

}  // namespace
}  // namespace imgpipe::core
