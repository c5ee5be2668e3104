#include "messages/contracts/token.hpp"
#include "tests/messages/catalogue_test.hpp"

ICTO_CATALOGUE_TESTS(token_contract, icto::token_contract_methods)
