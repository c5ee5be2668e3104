#include "messages/catalogue.hpp"
#include "messages/contracts/token.hpp"

ICTO_CATALOGUE_ENTRY(token_contract, icto::token_contract_methods)
