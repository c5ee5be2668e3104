#include "actors/audit/storage_common.hpp"

#include "actors/common/context.hpp"
#include "actors/common/directory.hpp"

#include <caf/actor_addr.hpp>
#include <caf/actor_cast.hpp>
#include <caf/actor_control_block.hpp>

#include <algorithm>

namespace icto {

storage_caller caller_of(const node_context& ctx,
                         const caf::strong_actor_ptr& sender,
                         const caller& claimed) {
  storage_caller out;
  out.id = resolve_caller(ctx.dir, sender, claimed);
  if (sender) {
    auto e = ctx.dir.find(caf::actor_cast<caf::actor_addr>(sender));
    out.via_ingress = e && e->role == actor_role::ingress;
  }
  out.controller = ctx.is_controller(out.id);
  return out;
}

std::vector<principal> sorted(const trie_set<principal>& xs) {
  std::vector<principal> out;
  out.reserve(xs.size());
  xs.for_each([&](const principal& p, trie_unit) {
    out.push_back(p);
  });
  std::sort(out.begin(), out.end());
  return out;
}

} // namespace icto
