#include "messages/catalogue.hpp"
#include "messages/contracts/distribution.hpp"

ICTO_CATALOGUE_ENTRY(distribution_contract, icto::distribution_contract_methods)
