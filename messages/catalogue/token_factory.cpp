#include "messages/catalogue.hpp"
#include "messages/factory.hpp"

ICTO_CATALOGUE_ENTRY(token_factory, icto::token_factory_methods)
