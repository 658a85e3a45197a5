// Reading back what a command wrote: the lists later commands need, and the file's digest.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collect/manifest.h"

namespace eksir::collect {

// The strings of a top-level JSON array member ({"nodegroups": [...]}); empty on any problem.
std::vector<std::string> json_strings(const std::string& path, std::string_view key);
// A top-level JSON string member ("NextToken"); "" when absent.
std::string json_string(const std::string& path, std::string_view key);
// A JSON string found by following keys from the top ({"cluster": {"arn": ...}}); "" when absent.
std::string json_string_at(const std::string& path, std::initializer_list<std::string_view> keys);
// The whitespace-separated words of `--output text` (the CLI prints "None" for null).
std::vector<std::string> text_words(const std::string& path);

// The line of a stderr file that says most about a failure: the first naming an error, else the
// first non-blank one.
std::string telling_line(const std::string& path);

// Hashes the file at root/rel; a blank file (empty or only whitespace) is deleted and reported
// with an empty path. nullopt when it cannot be read.
std::optional<OutputFile> seal(const std::string& root, const std::string& rel);

}  // namespace eksir::collect
