#include "messages/catalogue.hpp"
#include "messages/contracts/multisig.hpp"

ICTO_CATALOGUE_ENTRY(multisig_contract, icto::multisig_contract_methods)
