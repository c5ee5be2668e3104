#include "messages/methods.hpp"

#include "messages/catalogue_entries.hpp"

#include <map>

namespace icto {

namespace {

template <class Key>
using method_tables = std::map<Key, std::vector<method_info>>;

const method_tables<service_id>& service_tables() {
  static const auto instance = [] {
    method_tables<service_id> tables;
#define ICTO_TABLE_ENTRY(name, key) tables[key] = detail::methods_##name();
    ICTO_SERVICE_ENTRIES(ICTO_TABLE_ENTRY)
    return tables;
  }();
  return instance;
}

const method_tables<contract_kind>& contract_tables() {
  static const auto instance = [] {
    method_tables<contract_kind> tables;
    ICTO_CONTRACT_ENTRIES(ICTO_TABLE_ENTRY)
#undef ICTO_TABLE_ENTRY
    return tables;
  }();
  return instance;
}

template <class Key>
const std::vector<method_info>&
lookup(const method_tables<Key>& tables, Key key) {
  static const std::vector<method_info> none;
  auto i = tables.find(key);
  return i != tables.end() ? i->second : none;
}

const method_info* find_in(const std::vector<method_info>& table,
                           std::string_view name) {
  for (const auto& m : table)
    if (m.name == name)
      return &m;
  return nullptr;
}

} // namespace

const std::vector<method_info>& methods_of(service_id service) {
  return lookup(service_tables(), service);
}

const method_info* find_method(service_id service, std::string_view name) {
  return find_in(methods_of(service), name);
}

const std::vector<method_info>& methods_of(contract_kind kind) {
  return lookup(contract_tables(), kind);
}

const method_info* find_method(contract_kind kind, std::string_view name) {
  return find_in(methods_of(kind), name);
}

} // namespace icto
