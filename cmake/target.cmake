# Flags shared by everything built for AArch64.
set(CMAKE_C_STANDARD 11)
set(CMAKE_C_EXTENSIONS ON)

set(CAIRN_TARGET_WARNINGS -Wall -Wextra -Werror)
set(CAIRN_IMAGE_DIR "${CMAKE_BINARY_DIR}" CACHE PATH
    "where system images (<system>/cairn.img) are written")

# libfdt's headers sit in the host's /usr/include next to host headers that
# must not leak into a cross build: copy just those three.
set(CAIRN_LIBFDT_A /usr/lib/aarch64-linux-gnu/libfdt.a)
if(NOT EXISTS "${CAIRN_LIBFDT_A}")
  message(FATAL_ERROR "libfdt for arm64 is missing (${CAIRN_LIBFDT_A}): run tools/setup")
endif()
foreach(h libfdt.h libfdt_env.h fdt.h)
  configure_file("/usr/include/${h}" "${CMAKE_BINARY_DIR}/libfdt-include/${h}" COPYONLY)
endforeach()
set(CAIRN_LIBFDT_INCLUDE "${CMAKE_BINARY_DIR}/libfdt-include")

set(CAIRN_PICOLIBC_SPECS /usr/lib/picolibc/aarch64-linux-gnu/picolibc.specs)
if(NOT EXISTS "${CAIRN_PICOLIBC_SPECS}")
  message(FATAL_ERROR "picolibc for aarch64 is missing: run tools/setup")
endif()
