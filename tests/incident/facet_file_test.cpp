// The scope records' facets in a temporary file: every encoding reads back exactly, in the order
// written and out of it, from the file, from what is not yet written, and from memory when the
// file cannot take more.
#include <gtest/gtest.h>

#include <sys/resource.h>

#include <algorithm>
#include <csignal>
#include <random>
#include <string>
#include <vector>

#include "incident/facet_file.h"

namespace eksir::incident {
namespace {

// Encodings of varied lengths (some longer than a read block), with every byte value in them.
std::vector<std::string> encodings(size_t n) {
  std::mt19937 rng(7);
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i) {
    size_t len = i % 997 == 0 ? FacetFile::kBlock + 13 * i % 1000 : rng() % 300;
    std::string s(len, '\0');
    for (auto& c : s) c = static_cast<char>(rng());
    out.push_back(std::move(s));
  }
  return out;
}

TEST(FacetFile, EveryEncodingReadsBackExactlyInAnyOrder) {
  const auto texts = encodings(40000);  // several pieces written, the last one pending
  FacetFile file;
  std::vector<FacetFile::Ref> refs;
  for (const auto& t : texts) refs.push_back(file.append(t));
  EXPECT_GT(file.bytes_in_file(), 0u);
  EXPECT_LT(file.bytes_in_file(), file.bytes());
  // Before the flush: from the file and from what is still pending.
  for (size_t i = 0; i < texts.size(); i += 101) EXPECT_EQ(file.read(refs[i]), texts[i]) << i;
  file.flush();
  EXPECT_EQ(file.bytes_in_file(), file.bytes());
  for (size_t i = 0; i < texts.size(); ++i) ASSERT_EQ(file.read(refs[i]), texts[i]) << i;
  std::vector<size_t> shuffled(texts.size());
  for (size_t i = 0; i < shuffled.size(); ++i) shuffled[i] = i;
  std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937(3));
  for (size_t i : shuffled) ASSERT_EQ(file.read(refs[i]), texts[i]) << i;
  EXPECT_TRUE(file.error().empty());
  file.clear();
  EXPECT_EQ(file.bytes(), 0u);
}

TEST(FacetFile, WhatTheFileCannotTakeIsKeptInMemory) {
  // A file-size limit makes the temporary file fail part way: nothing is lost.
  rlimit before{};
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &before), 0);
  auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  rlimit small = before;
  small.rlim_cur = 3 * FacetFile::kPiece / 2;
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
  const auto texts = encodings(30000);
  FacetFile file;
  std::vector<FacetFile::Ref> refs;
  for (const auto& t : texts) refs.push_back(file.append(t));
  file.flush();
  setrlimit(RLIMIT_FSIZE, &before);
  std::signal(SIGXFSZ, old_handler);
  EXPECT_FALSE(file.error().empty());
  EXPECT_GT(file.bytes_in_file(), 0u);
  EXPECT_LT(file.bytes_in_file(), file.bytes());
  for (size_t i = 0; i < texts.size(); ++i) ASSERT_EQ(file.read(refs[i]), texts[i]) << i;
}

TEST(FacetFile, EmptyEncodingsAndMoves) {
  FacetFile file;
  auto a = file.append("");
  auto b = file.append("abc");
  FacetFile moved = std::move(file);
  moved.flush();
  EXPECT_EQ(moved.read(a), "");
  EXPECT_EQ(moved.read(b), "abc");
}

}  // namespace
}  // namespace eksir::incident
