#include "messages/audit.hpp"
#include "tests/messages/catalogue_test.hpp"

ICTO_CATALOGUE_TESTS(audit, icto::audit_methods)
