#include "messages/backend.hpp"
#include "tests/messages/catalogue_test.hpp"

ICTO_CATALOGUE_TESTS(backend, icto::backend_methods)
