#pragma once

// Declares a service's methods once. Each method is a struct naming its ICTO
// V2 method name, whether ingress may call it (query or update) or only
// other actors (internal), and its request and reply types. From a
// `method_list` come the CAF typed-actor interface (messages/interfaces.hpp),
// the method table ingress and the CLI use (messages/methods.hpp), and the
// list of types to register (messages/register.hpp).

#include <cstdint>
#include <string_view>

namespace icto {

/// Who may call a method.
enum class method_access : uint8_t {
  /// A read-only call; ingress accepts it from the anonymous principal.
  query,
  /// A state-changing call; ingress requires a signed request.
  update,
  /// Only actors of the cluster call it (callbacks, backend to factory).
  internal,
};

/// A list of method structs.
template <class... Methods>
struct method_list {};

template <class... Lists>
struct concat_methods;

template <class... Ms>
struct concat_methods<method_list<Ms...>> {
  using type = method_list<Ms...>;
};

template <class... Ms, class... Ns, class... Rest>
struct concat_methods<method_list<Ms...>, method_list<Ns...>, Rest...> {
  using type =
      typename concat_methods<method_list<Ms..., Ns...>, Rest...>::type;
};

} // namespace icto

/// Declares method struct `prefix_name` for the ICTO V2 method `name`,
/// e.g. ICTO_METHOD(ledger, icrc1_transfer, update, transfer_arg,
/// result<uint64_t>). The request travels as (caller, Request).
#define ICTO_METHOD(prefix, name, access, Request, Reply)                      \
  struct prefix##_##name {                                                     \
    static constexpr std::string_view method_name = #name;                     \
    static constexpr ::icto::method_access method_access                       \
        = ::icto::method_access::access;                                       \
    using request = Request;                                                   \
    using reply = Reply;                                                       \
  };
