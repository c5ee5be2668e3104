#pragma once

#include "config/load_topology.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace icto::test {

/// A small valid topology, one line per element: line N of the file is
/// element N - 1, so tests can name the line an error must point at.
inline std::vector<std::string> sample_lines() {
  return {
      "[cluster]",                                       // 1
      "name = \"test\"",                                 // 2
      "[admins]",                                        // 3
      "controllers = [\"rrkah-fqaaa-aaaaa-aaaaq-cai\"]", // 4
      "[services]",                                      // 5
      "backend = \"a\"",                                 // 6
      "ledger = \"a\"",                                  // 7
      "audit_storage = \"a\"",                           // 8
      "invoice_storage = \"a\"",                         // 9
      "token_factory = \"b\"",                           // 10
      "multisig_factory = \"b\"",                        // 11
      "distribution_factory = \"b\"",                    // 12
      "dao_factory = \"b\"",                             // 13
      "launchpad_factory = \"b\"",                       // 14
      "[[node]]",                                        // 15
      "name = \"a\"",                                    // 16
      "port = 4100",                                     // 17
      "http_port = 8100",                                // 18
      "roles = [\"gateway\"]",                           // 19
      "[[node]]",                                        // 20
      "name = \"b\"",                                    // 21
      "port = 4101",                                     // 22
      "http_port = 8101",                                // 23
      "roles = [\"factories\", \"contracts\"]",          // 24
      "contract_ids = { start = 100, count = 100 }",     // 25
  };
}

/// Edits a copy of the sample: (line, text) replaces that line; an empty
/// text blanks it, keeping every other line's number.
inline std::vector<std::string>
sample_with(std::vector<std::pair<int, std::string>> edits) {
  auto lines = sample_lines();
  for (auto& [line, text] : edits)
    lines.at(static_cast<size_t>(line - 1)) = text;
  return lines;
}

inline std::string join_lines(const std::vector<std::string>& lines) {
  std::string result;
  for (auto& line : lines)
    result += line + "\n";
  return result;
}

inline result_or_errors<topology>
load_lines(const std::vector<std::string>& lines) {
  return load_topology_from_string(join_lines(lines), "test.toml");
}

inline std::string dump(const std::vector<config_error>& errors) {
  std::string result;
  for (auto& e : errors)
    result += "  " + e.to_string() + "\n";
  return result;
}

/// Whether `loaded` failed with an error at `line` for `key` whose message
/// holds every one of `texts`.
inline ::testing::AssertionResult
has_error(const result_or_errors<topology>& loaded, int line,
          const std::string& key, std::vector<std::string> texts) {
  if (loaded.ok())
    return ::testing::AssertionFailure() << "the topology loaded";
  for (auto& e : loaded.errors()) {
    if (e.line != line || e.key != key)
      continue;
    bool all = true;
    for (auto& text : texts)
      all = all && e.message.find(text) != std::string::npos;
    if (!all)
      continue;
    auto prefix = "test.toml:" + std::to_string(line) + ":";
    if (line > 0 && e.to_string().rfind(prefix, 0) != 0)
      return ::testing::AssertionFailure() << "bad text: " << e.to_string();
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << "no error at line " << line << " for '" << key
         << "' with the expected text; the errors:\n"
         << dump(loaded.errors());
}

} // namespace icto::test
