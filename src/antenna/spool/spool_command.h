#pragma once

#include "core/runtime/program.h"

namespace antenna {

// `antenna spool list`: the crashes waiting in CRASHMOVER_SPOOL_DIR, oldest first.
// `antenna spool retry`: with the collector stopped, one attempt to move each of them to the
// configured storage and publisher now; exits 1 while any is left.
core::Command spool_command();

}  // namespace antenna
