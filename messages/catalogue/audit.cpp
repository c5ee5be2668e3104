#include "messages/audit.hpp"

#include "messages/catalogue.hpp"

ICTO_CATALOGUE_ENTRY(audit, icto::audit_methods)
