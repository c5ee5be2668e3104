#include "messages/invoice.hpp"

#include "messages/catalogue.hpp"

ICTO_CATALOGUE_ENTRY(invoice, icto::invoice_methods)
