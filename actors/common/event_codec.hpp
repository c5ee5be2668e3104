#pragma once

// The bytes of a journal event: a one-byte event format version, then the
// event in CAF's binary form (its `inspect`, the same as on the wire). The
// store's record frame (length, CRC-32C) is checked before these bytes are
// read; decoding also refuses trailing bytes and an unknown version.

#include "messages/common.hpp"
#include "messages/error.hpp"
#include "messages/principal.hpp"

#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>
#include <caf/error.hpp>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace icto {

/// Version of the event encoding; bump when an event type changes.
inline constexpr uint8_t event_format_version = 1;

template <class T>
std::string encode_event(const T& ev) {
  std::vector<char> buf;
  buf.push_back(static_cast<char>(event_format_version));
  caf::binary_serializer sink{nullptr, buf};
  auto copy = ev;
  if (auto err = sink(copy))
    throw std::logic_error("encode_event: cannot serialize the event");
  return std::string{buf.begin(), buf.end()};
}

template <class T>
result<T> decode_event(std::string_view bytes, const std::string& what) {
  if (bytes.empty() || static_cast<uint8_t>(bytes[0]) != event_format_version)
    return make_error(
        system_errc::storage_failure,
        what + ": unknown event format "
            + (bytes.empty() ? std::string{"(empty)"}
                             : std::to_string(static_cast<uint8_t>(bytes[0]))));
  caf::binary_deserializer source{nullptr, bytes.data() + 1, bytes.size() - 1};
  T ev{};
  if (auto err = source(ev))
    return make_error(system_errc::storage_failure,
                      what + ": the event does not decode");
  if (source.remaining() != 0)
    return make_error(system_errc::storage_failure,
                      what + ": " + std::to_string(source.remaining())
                          + " bytes after the event");
  return ev;
}

/// An event that names the operation that changed an actor's state (a
/// number the actor defines), who asked, when, and the operation's argument
/// (encoded with encode_event). The factories and the contracts journal
/// these; replaying one runs the same operation again.
struct op_event {
  uint16_t op = 0;
  principal who;
  timestamp now = 0;
  std::string arg;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, op_event& x) {
  return f(caf::meta::type_name("op_event"), x.op, x.who, x.now, x.arg);
}

template <class Arg>
op_event
make_op_event(uint16_t op, principal who, timestamp now, const Arg& arg) {
  return op_event{op, std::move(who), now, encode_event(arg)};
}

/// The argument of an event of `actor` (for the error: "factory",
/// "contract"), or a storage_failure naming the operation.
template <class Arg>
result<Arg> op_arg(const op_event& ev, const std::string& actor) {
  return decode_event<Arg>(ev.arg, "argument of " + actor + " operation "
                                       + std::to_string(ev.op));
}

} // namespace icto
