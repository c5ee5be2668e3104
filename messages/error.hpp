#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace icto {

/// The Internet Computer's reject codes: which part of the system refused.
enum class reject_code : uint8_t {
  sys_fatal = 1,
  sys_transient = 2,
  destination_invalid = 3,
  canister_reject = 4,
  canister_error = 5,
  sys_unknown = 6,
};

/// Which enum an `error::code` belongs to.
enum class error_domain : uint8_t {
  system = 0,
  input,
  ledger,
  backend,
  audit,
  invoice,
  factory,
  contract,
};

/// Failures of the runtime itself, not of a service's rules.
enum class system_errc : uint8_t {
  /// The callee did not answer within the request timeout.
  timeout = 1,
  /// The callee is gone (its node is down or it quit).
  unavailable,
  /// No service or contract with that name or id.
  unknown_target,
  /// The target has no method of that name.
  unknown_method,
  /// A bug or broken invariant inside the callee.
  internal,
  /// The callee's store refused a write; the node stops.
  storage_failure,
  /// The callee is overloaded; try again later.
  overloaded,
};

/// Malformed arguments: what a decoder or validator says of bad input.
enum class input_errc : uint8_t {
  /// Not JSON, or not the JSON shape the method takes.
  bad_json = 1,
  /// A required field is absent.
  missing_field,
  /// A field the type does not have.
  unknown_field,
  /// A field of the wrong JSON type.
  wrong_type,
  /// A number out of the field's range.
  out_of_range,
  /// A value the field does not accept (an unknown enum name, ...).
  bad_value,
  /// A principal's text has a character outside the base32 alphabet.
  bad_alphabet,
  /// A principal's text is not in groups of five joined by '-'.
  bad_grouping,
  /// A principal's CRC-32 does not match its bytes.
  bad_checksum,
  /// Too many or too few bytes or characters.
  bad_length,
  /// Hex text with an odd length or a non-hex character.
  bad_hex,
};

/// ICRC-1 / ICRC-2 error variants (TransferError, ApproveError,
/// TransferFromError). `error::detail` carries the variant's number.
enum class ledger_errc : uint8_t {
  /// detail: expected_fee.
  bad_fee = 1,
  /// detail: min_burn_amount.
  bad_burn,
  /// detail: balance.
  insufficient_funds,
  too_old,
  /// detail: ledger_time.
  created_in_future,
  /// detail: duplicate_of (block index).
  duplicate,
  temporarily_unavailable,
  /// detail: error_code.
  generic_error,
  /// detail: allowance.
  insufficient_allowance,
  /// detail: current_allowance.
  allowance_changed,
  /// detail: ledger_time.
  expired,
};

/// The backend gateway's refusals.
enum class backend_errc : uint8_t {
  /// The caller lacks the admin permission the method needs.
  unauthorized = 1,
  /// Maintenance mode is on: no deployments.
  maintenance_mode,
  /// `<service>.enabled` is false.
  service_disabled,
  /// The service's circuit breaker is open (failed health checks).
  service_unavailable,
  /// No such service, factory or config key.
  not_found,
  /// The ICRC-2 allowance does not cover the fee plus the ledger fee.
  insufficient_allowance,
  /// The ledger refused to take the fee.
  payment_failed,
  /// The deployment failed after the fee was taken; the fee was refunded.
  deployment_failed,
  /// The same request_id with other arguments.
  idempotency_conflict,
  /// The user reached the per-user deployment limit.
  limit_reached,
  /// A config value of the wrong form or out of range.
  invalid_config,
  /// Arguments the method's rules refuse.
  invalid_argument,
  /// A request with this request_id is still being processed.
  in_progress,
  /// The refund after a failed deployment failed too; an admin must act.
  refund_failed,
  /// setupMicroservices has not completed: no deployments yet.
  setup_incomplete,
};

/// The audit storage's refusals.
enum class audit_errc : uint8_t {
  /// The caller is not a whitelisted writer.
  unauthorized = 1,
  invalid_argument,
  not_found,
};

/// The invoice storage's refusals.
enum class invoice_errc : uint8_t {
  /// The caller is not a whitelisted writer.
  unauthorized = 1,
  not_found,
  /// A payment record with this id exists already.
  duplicate,
  /// A status change the state machine forbids (terminal states are final).
  invalid_transition,
  invalid_argument,
};

/// A factory's refusals.
enum class factory_errc : uint8_t {
  /// The caller is not the whitelisted backend or not an admin.
  unauthorized = 1,
  /// No contract with this id was deployed by this factory.
  unknown_contract,
  /// A callback whose sender is not the contract it names.
  forged_callback,
  /// Arguments the contract kind refuses.
  invalid_argument,
  /// No such version registered for this kind.
  unknown_version,
  /// The state migration failed; the contract kept its old version.
  migration_failed,
  /// Only a controller may do this.
  not_controller,
  /// The contract could not be spawned.
  deploy_failed,
  /// The contract has no previous version to roll back to.
  nothing_to_roll_back,
  /// registerVersion of a version the kind has already.
  duplicate_version,
};

/// A contract's refusals.
enum class contract_errc : uint8_t {
  /// The caller may not call this method.
  unauthorized = 1,
  invalid_argument,
  insufficient_funds,
  not_found,
  /// The method does not apply in the contract's current state.
  invalid_state,
  /// The caller did this already (voted, approved, claimed).
  already_done,
};

const char* to_string(reject_code x);
const char* to_string(error_domain x);
const char* to_string(system_errc x);
const char* to_string(input_errc x);
const char* to_string(ledger_errc x);
const char* to_string(backend_errc x);
const char* to_string(audit_errc x);
const char* to_string(invoice_errc x);
const char* to_string(factory_errc x);
const char* to_string(contract_errc x);

/// An error as a value: an IC reject code, a service's error code and a text.
/// Travels between actors in replies, never as an exception.
struct error {
  reject_code reject = reject_code::sys_unknown;
  error_domain domain = error_domain::system;
  /// A value of the domain's `*_errc` enum.
  uint8_t code = 0;
  std::string message;
  /// The number an ICRC error variant carries (see `ledger_errc`), else 0.
  uint64_t detail = 0;

  /// "domain.code: message", e.g. "ledger.InsufficientFunds: ...".
  std::string to_string() const;
  /// The name of `code` within `domain`, e.g. "InsufficientFunds".
  const char* code_name() const;
  /// The JSON name of `detail` for this code, or nullptr if it has none.
  const char* detail_name() const;

  friend bool operator==(const error& x, const error& y) {
    return x.reject == y.reject && x.domain == y.domain && x.code == y.code
           && x.message == y.message && x.detail == y.detail;
  }
  friend bool operator!=(const error& x, const error& y) {
    return !(x == y);
  }
};

error make_error(system_errc code, std::string message);
error make_error(input_errc code, std::string message);
error make_error(ledger_errc code, std::string message, uint64_t detail = 0);
error make_error(backend_errc code, std::string message);
error make_error(audit_errc code, std::string message);
error make_error(invoice_errc code, std::string message);
error make_error(factory_errc code, std::string message);
error make_error(contract_errc code, std::string message);

constexpr error_domain domain_of(system_errc) {
  return error_domain::system;
}
constexpr error_domain domain_of(input_errc) {
  return error_domain::input;
}
constexpr error_domain domain_of(ledger_errc) {
  return error_domain::ledger;
}
constexpr error_domain domain_of(backend_errc) {
  return error_domain::backend;
}
constexpr error_domain domain_of(audit_errc) {
  return error_domain::audit;
}
constexpr error_domain domain_of(invoice_errc) {
  return error_domain::invoice;
}
constexpr error_domain domain_of(factory_errc) {
  return error_domain::factory;
}
constexpr error_domain domain_of(contract_errc) {
  return error_domain::contract;
}

/// Whether `e` is of the given code, e.g. `is(e, ledger_errc::duplicate)`.
template <class Enum>
constexpr bool is(const error& e, Enum code) {
  return e.domain == domain_of(code) && e.code == static_cast<uint8_t>(code);
}

/// The reply to every call: a value or an error.
template <class T>
class result {
 public:
  using value_type = T;

  /// A default-constructed result is an internal error; CAF needs the
  /// default constructor to deserialize into.
  result() : v_(make_error(system_errc::internal, "empty result")) {}
  result(T x) : v_(std::move(x)) {}
  result(error x) : v_(std::move(x)) {}

  bool ok() const {
    return v_.index() == 0;
  }
  explicit operator bool() const {
    return ok();
  }

  // REQUIRES: ok()
  T& value() & {
    return std::get<0>(v_);
  }
  const T& value() const& {
    return std::get<0>(v_);
  }
  T&& value() && {
    return std::get<0>(std::move(v_));
  }
  T* operator->() {
    return &value();
  }
  const T* operator->() const {
    return &value();
  }
  T& operator*() {
    return value();
  }
  const T& operator*() const {
    return value();
  }

  // REQUIRES: !ok()
  const error& err() const {
    return std::get<1>(v_);
  }
  error& err() {
    return std::get<1>(v_);
  }

  friend bool operator==(const result& x, const result& y) {
    return x.v_ == y.v_;
  }
  friend bool operator!=(const result& x, const result& y) {
    return !(x == y);
  }

 private:
  std::variant<T, error> v_;
};

/// What a method answers that has no value on success.
struct unit {
  friend bool operator==(unit, unit) {
    return true;
  }
  friend bool operator!=(unit, unit) {
    return false;
  }
};

} // namespace icto
