#include "node/config_check.hpp"

#include "config/load_topology.hpp"

#include <algorithm>
#include <ostream>
#include <string>
#include <vector>

namespace icto {

namespace {

using row = std::vector<std::string>;

/// Left-aligned columns two spaces apart, without trailing blanks.
void print_table(std::ostream& out, const std::vector<row>& rows) {
  std::vector<size_t> widths;
  for (auto& r : rows) {
    widths.resize(std::max(widths.size(), r.size()));
    for (size_t i = 0; i < r.size(); ++i)
      widths[i] = std::max(widths[i], r[i].size());
  }
  for (auto& r : rows) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size())
        line.append(widths[i] - r[i].size() + 2, ' ');
    }
    line.erase(line.find_last_not_of(' ') + 1);
    out << "  " << line << '\n';
  }
}

std::string join(const std::vector<std::string>& xs) {
  std::string result;
  for (auto& x : xs) {
    if (!result.empty())
      result += ", ";
    result += x;
  }
  return xs.empty() ? "-" : result;
}

std::string range_text(const contract_id_range& x) {
  if (x.empty())
    return "-";
  return std::to_string(x.start) + ".." + std::to_string(x.end() - 1);
}

} // namespace

int run_config_check(const std::filesystem::path& file, std::ostream& out,
                     std::ostream& err) {
  auto loaded = load_topology(file);
  if (!loaded) {
    for (auto& e : loaded.errors())
      err << e.to_string() << '\n';
    auto n = loaded.errors().size();
    err << n << (n == 1 ? " error" : " errors") << " in " << file.string()
        << '\n';
    return 1;
  }
  auto& t = *loaded;
  out << file.string() << ": valid\n"
      << "cluster " << t.cluster.name << ": " << t.nodes.size()
      << (t.nodes.size() == 1 ? " node" : " nodes") << ", placement "
      << to_string(t.cluster.placement) << ", log level " << t.cluster.log_level
      << ", durability " << to_string(t.persistence.durability)
      << (t.cluster.dev_mode ? ", dev mode" : "") << '\n';
  std::vector<std::string> controllers;
  for (auto& p : t.controllers)
    controllers.push_back(p.to_text());
  out << "controllers: " << join(controllers) << '\n'
      << "minting account: " << t.ledger.minting_account.to_text() << "\n\n";
  std::vector<row> rows{
      {"node", "host", "port", "http", "roles", "contract ids", "services"}};
  for (auto& node : t.nodes) {
    std::vector<std::string> roles;
    for (auto x : node.roles)
      roles.emplace_back(to_string(x));
    std::vector<std::string> services;
    for (auto x : t.services_of(node.name))
      services.emplace_back(to_string(x));
    rows.push_back({node.name, node.host, std::to_string(node.port),
                    std::to_string(node.http_port), join(roles),
                    range_text(node.contract_ids), join(services)});
  }
  print_table(out, rows);
  out << '\n';
  rows = {{"node", "data dir", "log file", "tls"}};
  for (auto& node : t.nodes)
    rows.push_back({node.name, node.data_dir.string(),
                    node.log_file ? node.log_file->string() : "-",
                    node.tls ? "yes" : "no"});
  print_table(out, rows);
  return 0;
}

} // namespace icto
