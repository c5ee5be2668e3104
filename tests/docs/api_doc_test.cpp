// docs/api.md against the method tables: every query and update method of
// every service and contract kind has an entry in the right section, in
// declaration order, with its true access, argument and reply types, at
// least one example that calls it and an "Errors:" line; the Types section
// is what messages/api_types.cpp generates. (That the examples run is
// tests/docs/run_api_examples.sh.)
//
// ICTO_UPDATE_API_DOC=1 build/bin/api_doc_test rewrites the signature lines
// and the Types section from the tables first.

#include "messages/api_types.hpp"
#include "messages/common.hpp"
#include "messages/methods.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

using namespace icto;

const std::string doc_path = ICTO_SOURCE_DIR "/docs/api.md";
const std::string types_begin = "<!-- types:begin -->";
const std::string types_end = "<!-- types:end -->";

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in{path};
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  return lines;
}

void write_lines(const std::string& path,
                 const std::vector<std::string>& lines) {
  std::ofstream out{path, std::ios::trunc};
  for (const auto& line : lines)
    out << line << '\n';
}

bool is_public(const method_info& m) {
  return m.access != method_access::internal;
}

std::string signature_line(const method_info& m) {
  return std::string{"`"}
         + (m.access == method_access::query ? "query" : "update")
         + "` · args `" + m.request_type + "` · reply `" + m.reply_type + "`";
}

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

/// Section title -> the methods it documents, in declaration order.
std::map<std::string, std::vector<const method_info*>> expected_sections() {
  std::map<std::string, std::vector<const method_info*>> out;
  auto add_service = [&](const std::string& title, service_id s) {
    for (const auto& m : methods_of(s))
      if (is_public(m))
        out[title].push_back(&m);
  };
  add_service("ledger", service_id::ledger);
  add_service("backend", service_id::backend);
  add_service("audit_storage", service_id::audit_storage);
  add_service("invoice_storage", service_id::invoice_storage);
  add_service("factories", service_id::token_factory);
  // What every contract kind answers goes once into "contracts (all kinds)".
  const contract_kind kinds[] = {contract_kind::token, contract_kind::multisig,
                                 contract_kind::distribution,
                                 contract_kind::dao, contract_kind::launchpad};
  auto in_all_kinds = [&](const method_info& m) {
    return std::all_of(std::begin(kinds), std::end(kinds), [&](auto k) {
      const auto* other = find_method(k, m.name);
      return other != nullptr && other->request_type == m.request_type
             && other->reply_type == m.reply_type;
    });
  };
  for (const auto& m : methods_of(contract_kind::token))
    if (is_public(m) && in_all_kinds(m))
      out["contracts (all kinds)"].push_back(&m);
  for (auto k : kinds)
    for (const auto& m : methods_of(k))
      if (is_public(m) && !in_all_kinds(m))
        out[std::string{to_string(k)} + " contract"].push_back(&m);
  return out;
}

/// One `### name` entry of the doc.
struct doc_entry {
  std::string name;
  size_t heading_line = 0; // 0-based
  std::string signature;   // the first non-empty line after the heading
  size_t signature_line = 0;
  bool has_example = false;
  bool has_errors = false;
};

struct parsed_doc {
  std::map<std::string, std::vector<doc_entry>> sections;
  std::vector<std::string> section_order;
  size_t types_begin_line = 0;
  size_t types_end_line = 0;
};

parsed_doc parse(const std::vector<std::string>& lines) {
  parsed_doc doc;
  std::string section;
  doc_entry* entry = nullptr;
  bool in_block = false;
  bool block_is_sh = false;
  for (size_t i = 0; i < lines.size(); ++i) {
    const auto& line = lines[i];
    if (starts_with(line, "```")) {
      block_is_sh = !in_block && line == "```sh";
      in_block = !in_block;
      continue;
    }
    if (in_block) {
      if (block_is_sh && entry != nullptr) {
        std::istringstream words{line};
        std::string w1, w2, target, method;
        words >> w1 >> w2 >> target >> method;
        if (w1 == "icto" && w2 == "call" && method == entry->name)
          entry->has_example = true;
        // VAR=$(icto call TARGET METHOD ...)
        auto call = line.find("$(icto call ");
        if (call != std::string::npos) {
          std::istringstream rest{line.substr(call + 12)};
          rest >> target >> method;
          if (method == entry->name)
            entry->has_example = true;
        }
      }
      continue;
    }
    if (line == types_begin)
      doc.types_begin_line = i;
    if (line == types_end)
      doc.types_end_line = i;
    if (starts_with(line, "## ")) {
      section = line.substr(3);
      doc.section_order.push_back(section);
      entry = nullptr;
    } else if (starts_with(line, "### ")) {
      auto& entries = doc.sections[section];
      entries.push_back({});
      entry = &entries.back();
      entry->name = line.substr(4);
      entry->heading_line = i;
      for (size_t j = i + 1; j < lines.size(); ++j)
        if (!lines[j].empty()) {
          entry->signature = lines[j];
          entry->signature_line = j;
          break;
        }
    } else if (entry != nullptr && starts_with(line, "Errors:")) {
      entry->has_errors = true;
    }
  }
  return doc;
}

std::vector<std::string> types_block() {
  std::vector<std::string> out{"```text"};
  std::istringstream text{render_api_types(api_types())};
  for (std::string line; std::getline(text, line);)
    out.push_back(line);
  out.push_back("```");
  return out;
}

/// Rewrites signature lines and the Types block from the tables.
void update_doc() {
  auto lines = read_lines(doc_path);
  auto expected = expected_sections();
  auto doc = parse(lines);
  for (auto& [title, entries] : doc.sections) {
    auto it = expected.find(title);
    if (it == expected.end())
      continue;
    for (auto& e : entries)
      for (const auto* m : it->second)
        if (m->name == e.name) {
          if (starts_with(e.signature, "`query`")
              || starts_with(e.signature, "`update`"))
            lines[e.signature_line] = signature_line(*m);
        }
  }
  if (doc.types_begin_line > 0 && doc.types_end_line > doc.types_begin_line) {
    auto block = types_block();
    lines.erase(lines.begin() + doc.types_begin_line + 1,
                lines.begin() + doc.types_end_line);
    lines.insert(lines.begin() + doc.types_begin_line + 1, block.begin(),
                 block.end());
  }
  write_lines(doc_path, lines);
}

class api_doc : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    const char* update = std::getenv("ICTO_UPDATE_API_DOC");
    if (update != nullptr && std::string{update} == "1")
      update_doc();
  }

  api_doc() : lines(read_lines(doc_path)), doc(parse(lines)) {}

  std::vector<std::string> lines;
  parsed_doc doc;
};

TEST_F(api_doc, every_public_method_has_an_entry_in_declaration_order) {
  ASSERT_FALSE(lines.empty()) << doc_path << " is missing or empty";
  for (const auto& [title, methods] : expected_sections()) {
    std::vector<std::string> want;
    for (const auto* m : methods)
      want.emplace_back(m->name);
    std::vector<std::string> got;
    auto it = doc.sections.find(title);
    if (it != doc.sections.end())
      for (const auto& e : it->second)
        got.push_back(e.name);
    EXPECT_EQ(got, want) << "section '## " << title << "' of " << doc_path;
  }
}

TEST_F(api_doc, no_entry_documents_a_method_that_does_not_exist) {
  auto expected = expected_sections();
  for (const auto& [title, entries] : doc.sections) {
    if (entries.empty())
      continue;
    EXPECT_TRUE(expected.count(title) > 0)
        << "section '## " << title << "' has method entries but is not a "
        << "service or contract section";
  }
}

TEST_F(api_doc, signatures_are_the_method_tables) {
  for (const auto& [title, methods] : expected_sections()) {
    auto it = doc.sections.find(title);
    if (it == doc.sections.end())
      continue;
    for (const auto& e : it->second)
      for (const auto* m : methods) {
        if (m->name != e.name)
          continue;
        EXPECT_EQ(e.signature, signature_line(*m))
            << doc_path << ":" << e.signature_line + 1 << " (" << title << "."
            << e.name
            << "); ICTO_UPDATE_API_DOC=1 build/bin/api_doc_test fixes it";
      }
  }
}

TEST_F(api_doc, every_entry_has_an_example_and_its_errors) {
  for (const auto& [title, entries] : doc.sections)
    for (const auto& e : entries) {
      EXPECT_TRUE(e.has_example)
          << doc_path << ":" << e.heading_line + 1 << " " << title << "."
          << e.name << " has no ```sh example `icto call TARGET " << e.name
          << " ...`";
      EXPECT_TRUE(e.has_errors)
          << doc_path << ":" << e.heading_line + 1 << " " << title << "."
          << e.name << " has no 'Errors:' line";
    }
}

TEST_F(api_doc, types_section_is_generated_from_the_field_tables) {
  ASSERT_GT(doc.types_begin_line, 0u) << "no " << types_begin << " marker";
  ASSERT_GT(doc.types_end_line, doc.types_begin_line)
      << "no " << types_end << " marker after " << types_begin;
  std::vector<std::string> got(lines.begin() + doc.types_begin_line + 1,
                               lines.begin() + doc.types_end_line);
  EXPECT_EQ(got, types_block())
      << "the Types section is stale; ICTO_UPDATE_API_DOC=1 "
         "build/bin/api_doc_test regenerates it";
}

TEST(api_types, every_named_type_of_a_public_signature_has_a_shape) {
  std::set<std::string> names;
  for (const auto& t : api_types())
    names.insert(t.name);
  EXPECT_TRUE(names.count("account") > 0);
  EXPECT_TRUE(names.count("icto_error") > 0);
  // Closures name only known types, and include the error for results.
  auto closure = api_types_of("result<vector<contract_info>>");
  ASSERT_FALSE(closure.empty());
  bool has_info = false;
  bool has_error = false;
  for (const auto& t : closure) {
    EXPECT_TRUE(names.count(t.name) > 0) << t.name;
    has_info |= t.name == "contract_info";
    has_error |= t.name == "icto_error";
  }
  EXPECT_TRUE(has_info);
  EXPECT_TRUE(has_error);
  // An enum's value names are not mistaken for types; a field named like a
  // type that it does not use does not pull that type in.
  for (const auto& t : api_types_of("account"))
    EXPECT_TRUE(t.name == "account") << t.name;
}

} // namespace
