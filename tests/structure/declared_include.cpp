// Compiled with the scenario module's include roots only (tests.cmake): what scenario declares.
#include "core/result.h"
#include "scenario/model.h"
#include "vocabulary/kind.h"
