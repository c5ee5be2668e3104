#include "messages/error.hpp"

namespace icto {

namespace {

template <class Enum, size_t N>
const char* lookup(const char* const (&names)[N], Enum x) {
  auto i = static_cast<size_t>(x);
  return i < N && names[i] != nullptr ? names[i] : "unknown";
}

const char* const reject_names[] = {
    nullptr,           "SYS_FATAL",      "SYS_TRANSIENT", "DESTINATION_INVALID",
    "CANISTER_REJECT", "CANISTER_ERROR", "SYS_UNKNOWN",
};

const char* const domain_names[] = {
    "system", "input",   "ledger",  "backend",
    "audit",  "invoice", "factory", "contract",
};

const char* const system_names[] = {
    nullptr,          "timeout",  "unavailable",     "unknown_target",
    "unknown_method", "internal", "storage_failure", "overloaded",
};

const char* const input_names[] = {
    nullptr,        "bad_json",     "missing_field", "unknown_field",
    "wrong_type",   "out_of_range", "bad_value",     "bad_alphabet",
    "bad_grouping", "bad_checksum", "bad_length",    "bad_hex",
};

const char* const ledger_names[] = {
    nullptr,
    "BadFee",
    "BadBurn",
    "InsufficientFunds",
    "TooOld",
    "CreatedInFuture",
    "Duplicate",
    "TemporarilyUnavailable",
    "GenericError",
    "InsufficientAllowance",
    "AllowanceChanged",
    "Expired",
};

const char* const ledger_detail_names[] = {
    nullptr,      "expected_fee", "min_burn_amount",   "balance",
    nullptr,      "ledger_time",  "duplicate_of",      nullptr,
    "error_code", "allowance",    "current_allowance", "ledger_time",
};

const char* const backend_names[] = {
    nullptr,
    "unauthorized",
    "maintenance_mode",
    "service_disabled",
    "service_unavailable",
    "not_found",
    "insufficient_allowance",
    "payment_failed",
    "deployment_failed",
    "idempotency_conflict",
    "limit_reached",
    "invalid_config",
    "invalid_argument",
    "in_progress",
    "refund_failed",
    "setup_incomplete",
};

const char* const audit_names[] = {
    nullptr,
    "unauthorized",
    "invalid_argument",
    "not_found",
};

const char* const invoice_names[] = {
    nullptr,     "unauthorized",       "not_found",
    "duplicate", "invalid_transition", "invalid_argument",
};

const char* const factory_names[] = {
    nullptr,
    "unauthorized",
    "unknown_contract",
    "forged_callback",
    "invalid_argument",
    "unknown_version",
    "migration_failed",
    "not_controller",
    "deploy_failed",
    "nothing_to_roll_back",
    "duplicate_version",
};

const char* const contract_names[] = {
    nullptr,     "unauthorized",  "invalid_argument", "insufficient_funds",
    "not_found", "invalid_state", "already_done",
};

template <class Enum>
error make(reject_code reject, Enum code, std::string message,
           uint64_t detail = 0) {
  return error{reject, domain_of(code), static_cast<uint8_t>(code),
               std::move(message), detail};
}

} // namespace

const char* to_string(reject_code x) {
  return lookup(reject_names, x);
}
const char* to_string(error_domain x) {
  return lookup(domain_names, x);
}
const char* to_string(system_errc x) {
  return lookup(system_names, x);
}
const char* to_string(input_errc x) {
  return lookup(input_names, x);
}
const char* to_string(ledger_errc x) {
  return lookup(ledger_names, x);
}
const char* to_string(backend_errc x) {
  return lookup(backend_names, x);
}
const char* to_string(audit_errc x) {
  return lookup(audit_names, x);
}
const char* to_string(invoice_errc x) {
  return lookup(invoice_names, x);
}
const char* to_string(factory_errc x) {
  return lookup(factory_names, x);
}
const char* to_string(contract_errc x) {
  return lookup(contract_names, x);
}

const char* error::code_name() const {
  switch (domain) {
  case error_domain::system: return lookup(system_names, code);
  case error_domain::input: return lookup(input_names, code);
  case error_domain::ledger: return lookup(ledger_names, code);
  case error_domain::backend: return lookup(backend_names, code);
  case error_domain::audit: return lookup(audit_names, code);
  case error_domain::invoice: return lookup(invoice_names, code);
  case error_domain::factory: return lookup(factory_names, code);
  case error_domain::contract: return lookup(contract_names, code);
  }
  return "unknown";
}

const char* error::detail_name() const {
  if (domain != error_domain::ledger)
    return nullptr;
  auto i = static_cast<size_t>(code);
  return i < std::size(ledger_detail_names) ? ledger_detail_names[i] : nullptr;
}

std::string error::to_string() const {
  std::string result = icto::to_string(domain);
  result += '.';
  result += code_name();
  if (auto name = detail_name()) {
    result += " (";
    result += name;
    result += ' ';
    result += std::to_string(detail);
    result += ')';
  }
  if (!message.empty()) {
    result += ": ";
    result += message;
  }
  return result;
}

error make_error(system_errc code, std::string message) {
  auto reject = reject_code::canister_error;
  switch (code) {
  case system_errc::timeout:
  case system_errc::unavailable:
  case system_errc::overloaded: reject = reject_code::sys_transient; break;
  case system_errc::unknown_target:
  case system_errc::unknown_method:
    reject = reject_code::destination_invalid;
    break;
  case system_errc::storage_failure: reject = reject_code::sys_fatal; break;
  case system_errc::internal: break;
  }
  return make(reject, code, std::move(message));
}

error make_error(input_errc code, std::string message) {
  return make(reject_code::canister_reject, code, std::move(message));
}

error make_error(ledger_errc code, std::string message, uint64_t detail) {
  auto reject = code == ledger_errc::temporarily_unavailable
                    ? reject_code::sys_transient
                    : reject_code::canister_reject;
  return make(reject, code, std::move(message), detail);
}

error make_error(backend_errc code, std::string message) {
  auto reject = reject_code::canister_reject;
  if (code == backend_errc::service_unavailable
      || code == backend_errc::in_progress)
    reject = reject_code::sys_transient;
  else if (code == backend_errc::refund_failed)
    reject = reject_code::canister_error;
  return make(reject, code, std::move(message));
}

error make_error(audit_errc code, std::string message) {
  return make(reject_code::canister_reject, code, std::move(message));
}

error make_error(invoice_errc code, std::string message) {
  return make(reject_code::canister_reject, code, std::move(message));
}

error make_error(factory_errc code, std::string message) {
  return make(reject_code::canister_reject, code, std::move(message));
}

error make_error(contract_errc code, std::string message) {
  return make(reject_code::canister_reject, code, std::move(message));
}

} // namespace icto
