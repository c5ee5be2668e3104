#include "messages/contracts/launchpad.hpp"
#include "tests/messages/catalogue_test.hpp"

ICTO_CATALOGUE_TESTS(launchpad_contract, icto::launchpad_contract_methods)
