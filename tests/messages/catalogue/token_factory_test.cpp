#include "messages/factory.hpp"
#include "tests/messages/catalogue_test.hpp"

ICTO_CATALOGUE_TESTS(token_factory, icto::token_factory_methods)
