#include "messages/contracts/multisig.hpp"
#include "tests/messages/catalogue_test.hpp"

ICTO_CATALOGUE_TESTS(multisig_contract, icto::multisig_contract_methods)
