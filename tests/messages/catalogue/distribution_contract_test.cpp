#include "messages/contracts/distribution.hpp"
#include "tests/messages/catalogue_test.hpp"

ICTO_CATALOGUE_TESTS(distribution_contract, icto::distribution_contract_methods)
