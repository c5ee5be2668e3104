#pragma once

// Shared by the catalogue tests: every request and reply type of a method
// list round-trips through CAF's binary serializer (as a registered message,
// the way BASP sends it) and through JSON, and strict decoding names the
// field that is wrong. One test file per service keeps each compile small.

#include "messages/register.hpp"
#include "messages/services.hpp"
#include "messages/type_name.hpp"
#include "tests/messages/sample.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>
#include <caf/make_message.hpp>
#include <caf/message.hpp>
#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

namespace icto::test {

struct catalogue_fixture : ::testing::Test {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;

  void SetUp() override {
    register_messages(cfg);
    sys = std::make_unique<caf::actor_system>(cfg);
  }

  template <class T>
  void round_trip(std::mt19937_64& gen) {
    SCOPED_TRACE(type_name<T>());
    for (int i = 0; i < 20; ++i) {
      auto x = test::sample<T>(gen);
      // CAF: as a message element, through the system's registry.
      auto msg = caf::make_message(caller{principal::anonymous()}, x);
      std::vector<char> buf;
      caf::binary_serializer sink{*sys, buf};
      ASSERT_FALSE(sink(msg)) << "cannot serialize " << type_name<T>();
      caf::message copy;
      caf::binary_deserializer source{*sys, buf};
      ASSERT_FALSE(source(copy)) << "cannot deserialize " << type_name<T>();
      ASSERT_TRUE((copy.match_elements<caller, T>()))
          << "type lost on the wire: " << to_string(copy);
      EXPECT_EQ(copy.get_as<T>(1), x);
      // JSON: encode, print, parse, decode.
      auto text = json::encode(x).dump();
      auto back = json::parse<T>(text);
      ASSERT_TRUE(back.ok()) << text << ": " << back.err().to_string();
      EXPECT_EQ(*back, x) << text;
    }
  }
};

template <class T>
void check_strict_decoding() {
  if constexpr (is_described_v<T>) {
    SCOPED_TRACE(type_name<T>());
    std::mt19937_64 gen{7};
    auto good = json::encode(test::sample<T>(gen));
    std::apply(
        [&](const auto&... fs) {
          [[maybe_unused]] auto one = [&](const auto& f) {
            using member = std::decay_t<decltype(T{}.*(f.member))>;
            std::string name{f.name};
            // A missing required field is named.
            if constexpr (!test::is_optional<member>::value) {
              auto j = good;
              j.erase(name);
              auto r = json::decode<T>(j, "args");
              ASSERT_FALSE(r.ok()) << j.dump();
              EXPECT_TRUE(is(r.err(), input_errc::missing_field));
              EXPECT_NE(r.err().message.find("'args." + name + "'"),
                        std::string::npos)
                  << r.err().message;
            }
            // A value of the wrong JSON type is named.
            auto j = good;
            if constexpr (std::is_same_v<member, bool>)
              j[name] = "yes";
            else
              j[name] = json::value::array({true});
            auto r = json::decode<T>(j, "args");
            ASSERT_FALSE(r.ok()) << j.dump();
            EXPECT_NE(r.err().message.find("args." + name), std::string::npos)
                << r.err().message;
            // A bad principal is named, with the parser's reason.
            if constexpr (std::is_same_v<member, principal>) {
              auto k = good;
              k[name] = "em77e-bvlzu-ba";
              auto r2 = json::decode<T>(k, "args");
              ASSERT_FALSE(r2.ok());
              EXPECT_TRUE(is(r2.err(), input_errc::bad_checksum));
              EXPECT_NE(r2.err().message.find("'args." + name + "'"),
                        std::string::npos)
                  << r2.err().message;
            }
          };
          (one(fs), ...);
        },
        icto_fields(static_cast<const T*>(nullptr)));
  }
}

} // namespace icto::test

using icto::test::catalogue_fixture;

/// Defines the round-trip and strict-decoding tests for one method list.
#define ICTO_CATALOGUE_TESTS(name, list)                                       \
  TEST_F(catalogue_fixture, name##_round_trips) {                              \
    std::mt19937_64 gen{42};                                                   \
    size_t methods = 0;                                                        \
    icto::for_each_method(list{}, [&](auto tag) {                              \
      using m = typename decltype(tag)::type;                                  \
      SCOPED_TRACE(std::string{m::method_name});                               \
      round_trip<typename m::request>(gen);                                    \
      round_trip<typename m::reply>(gen);                                      \
      ++methods;                                                               \
    });                                                                        \
    EXPECT_GT(methods, 0u);                                                    \
  }                                                                            \
  TEST(catalogue, name##_requests_decode_strictly) {                           \
    icto::for_each_method(list{}, [&](auto tag) {                              \
      using m = typename decltype(tag)::type;                                  \
      SCOPED_TRACE(std::string{m::method_name});                               \
      icto::test::check_strict_decoding<typename m::request>();                \
    });                                                                        \
  }
