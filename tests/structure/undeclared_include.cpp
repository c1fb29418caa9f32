// Compiled with the scenario module's include roots only (tests.cmake): scenario does not declare
// protocol, so this must fail to compile.
#include "protocol/validate.h"
