#include "messages/factory.hpp"
#include "tests/messages/catalogue_test.hpp"

ICTO_CATALOGUE_TESTS(distribution_factory, icto::distribution_factory_methods)
