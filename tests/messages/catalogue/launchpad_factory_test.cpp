#include "messages/factory.hpp"
#include "tests/messages/catalogue_test.hpp"

ICTO_CATALOGUE_TESTS(launchpad_factory, icto::launchpad_factory_methods)
