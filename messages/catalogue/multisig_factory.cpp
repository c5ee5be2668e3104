#include "messages/catalogue.hpp"
#include "messages/factory.hpp"

ICTO_CATALOGUE_ENTRY(multisig_factory, icto::multisig_factory_methods)
