#include "messages/ledger.hpp"
#include "tests/messages/catalogue_test.hpp"

ICTO_CATALOGUE_TESTS(ledger, icto::ledger_methods)
