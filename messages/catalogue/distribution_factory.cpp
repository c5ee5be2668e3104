#include "messages/catalogue.hpp"
#include "messages/factory.hpp"

ICTO_CATALOGUE_ENTRY(distribution_factory, icto::distribution_factory_methods)
