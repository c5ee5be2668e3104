#include "messages/factory.hpp"
#include "tests/messages/catalogue_test.hpp"

ICTO_CATALOGUE_TESTS(multisig_factory, icto::multisig_factory_methods)
