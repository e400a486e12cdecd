// domain/merge_patch.hpp - JSON merge patch (RFC 7396).
#pragma once

#include <boost/json/value.hpp>

namespace crm::domain {

/// Applies `patch` to `target` as RFC 7396 says: members of an object patch
/// are merged recursively, null removes, anything else replaces.
void apply_merge_patch(boost::json::value& target, const boost::json::value& patch);

}  // namespace crm::domain
