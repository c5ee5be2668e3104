// `icto`: the command-line client. Subcommands so far:
//   icto principal TEXT | --from-hex HEX   show a principal as JSON
//   icto config check FILE                 validate a topology file

#include "messages/json.hpp"
#include "messages/principal.hpp"
#include "node/config_check.hpp"

#include <CLI/CLI.hpp>

#include <iostream>
#include <string>

namespace {

/// Prints {"text", "hex", "kind"} of a principal; exit 1 on bad input.
int run_principal(const std::string& text, const std::string& hex) {
  auto p = hex.empty() ? icto::principal::from_text(text)
                       : icto::principal::from_hex(hex);
  if (!p) {
    std::cerr << "icto principal: " << p.err().message << '\n';
    return 1;
  }
  icto::json::value out = {
      {"text", p->to_text()},
      {"hex", p->to_hex()},
      {"kind", icto::to_string(p->kind())},
  };
  std::cout << out.dump() << '\n';
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"icto: the ICTO Runtime command-line client"};
  app.require_subcommand(1);

  auto* principal_cmd = app.add_subcommand(
      "principal",
      "Show a principal's textual form, hex bytes and kind as JSON");
  std::string text;
  std::string hex;
  auto* text_opt = principal_cmd->add_option("text", text,
                                             "A principal in textual form");
  auto* hex_opt = principal_cmd->add_option(
      "--from-hex", hex, "The principal's raw bytes in hex instead");
  text_opt->excludes(hex_opt);
  principal_cmd->callback([&] {
    if (text.empty() && hex.empty())
      throw CLI::RequiredError("TEXT or --from-hex HEX");
  });

  auto* config_cmd = app.add_subcommand("config", "Work with topology files");
  config_cmd->require_subcommand(1);
  auto* check_cmd = config_cmd->add_subcommand(
      "check", "Validate a topology file and show what it describes");
  std::string config_file;
  check_cmd->add_option("file", config_file, "The topology file (TOML)")
      ->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 exits 0 for --help; usage errors exit 2.
    auto rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  if (principal_cmd->parsed())
    return run_principal(text, hex);
  if (check_cmd->parsed())
    return icto::run_config_check(config_file, std::cout, std::cerr);
  return 2;
}
