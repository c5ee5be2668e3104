#include "messages/catalogue.hpp"
#include "messages/factory.hpp"

ICTO_CATALOGUE_ENTRY(dao_factory, icto::dao_factory_methods)
