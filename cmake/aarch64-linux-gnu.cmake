# Cross toolchain for Cairn's target build: Debian's aarch64-linux-gnu GCC.
# The kernel is freestanding; user level links picolibc through its specs file.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(CAIRN_CROSS_PREFIX "aarch64-linux-gnu-" CACHE STRING "cross toolchain prefix")
find_program(CMAKE_C_COMPILER ${CAIRN_CROSS_PREFIX}gcc REQUIRED)
find_program(CMAKE_ASM_COMPILER ${CAIRN_CROSS_PREFIX}gcc REQUIRED)
find_program(CMAKE_OBJCOPY ${CAIRN_CROSS_PREFIX}objcopy REQUIRED)
find_program(CMAKE_NM ${CAIRN_CROSS_PREFIX}nm REQUIRED)

# Nothing links against the host's libraries; probe with a static library.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
