/* The commit the guest was built from (cmake/version.cmake's header). */
#include "cairn_version.h"

extern const char testguest_version[];
const char testguest_version[] = CAIRN_VERSION;
