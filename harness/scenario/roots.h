#pragma once
// The folder tree a scenario may read and write: its bodyFile and golden paths must resolve
// inside it (after "..", and after symbolic links), so that a scenario cannot send /etc/passwd
// to a target, show it in a diff, or make --update-golden overwrite a file elsewhere.
#include "core/result.h"

#include <string>
#include <string_view>
#include <vector>

namespace konform::scenario {

// The root for a scenario PATH (file or folder) when none is given: the top of the git work tree
// holding it (goldens usually sit beside the scenario folder, as golden/ does here), else the
// folder itself (or the folder holding the file). Returned absolute and with links resolved.
std::string default_root(const std::string& path);

// Absolute, normalised, symbolic links of the existing part resolved: how containment is judged.
std::string resolved(const std::string& path);

// True when `path` resolves inside one of `roots` (each already resolved()).
bool within_roots(const std::string& path, const std::vector<std::string>& roots);

// Resolves `name`, a path a scenario field gives relative to the scenario's folder `dir`,
// against `roots` (each resolved()). The error (no location: the caller adds the field's) says
// why: an absolute path, or a path that leaves every root.
Result<std::string> confined(const std::string& dir, std::string_view name,
                             const std::vector<std::string>& roots);

} // namespace konform::scenario
