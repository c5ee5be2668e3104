#include "messages/catalogue.hpp"
#include "messages/contracts/launchpad.hpp"

ICTO_CATALOGUE_ENTRY(launchpad_contract, icto::launchpad_contract_methods)
