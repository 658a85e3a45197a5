// Private to detect/: reading a field of an event as text (now shared from event/fields.h).
#pragma once

#include "event/fields.h"

namespace eksir::detect {

using eksir::first_path;
using eksir::path_text;

}  // namespace eksir::detect
