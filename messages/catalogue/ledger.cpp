#include "messages/ledger.hpp"

#include "messages/catalogue.hpp"

ICTO_CATALOGUE_ENTRY(ledger, icto::ledger_methods)
