#include "messages/invoice.hpp"
#include "tests/messages/catalogue_test.hpp"

ICTO_CATALOGUE_TESTS(invoice, icto::invoice_methods)
