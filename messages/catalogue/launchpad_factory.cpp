#include "messages/catalogue.hpp"
#include "messages/factory.hpp"

ICTO_CATALOGUE_ENTRY(launchpad_factory, icto::launchpad_factory_methods)
