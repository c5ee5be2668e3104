#include "messages/contracts/dao.hpp"
#include "tests/messages/catalogue_test.hpp"

ICTO_CATALOGUE_TESTS(dao_contract, icto::dao_contract_methods)
