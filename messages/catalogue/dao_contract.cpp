#include "messages/catalogue.hpp"
#include "messages/contracts/dao.hpp"

ICTO_CATALOGUE_ENTRY(dao_contract, icto::dao_contract_methods)
