#include "messages/factory.hpp"
#include "tests/messages/catalogue_test.hpp"

ICTO_CATALOGUE_TESTS(dao_factory, icto::dao_factory_methods)
