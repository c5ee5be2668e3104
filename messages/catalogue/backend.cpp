#include "messages/backend.hpp"

#include "messages/catalogue.hpp"

ICTO_CATALOGUE_ENTRY(backend, icto::backend_methods)
