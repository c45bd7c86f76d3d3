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

# cairn_program(NAME SOURCES...): a user-level program (NAME.elf) linked with
# libcairn and picolibc, text at 4 MiB, data at 8 MiB, the stack below
# CAIRN_ROOT_STACK_TOP (kernel/include/cairn/bootinfo.h).
function(cairn_program name)
  add_executable(${name} ${ARGN})
  # Every image may use every program: configs/ packs the ones it names.
  set_property(GLOBAL APPEND PROPERTY CAIRN_PROGRAMS ${name})
  set_target_properties(${name} PROPERTIES SUFFIX ".elf")
  target_compile_options(${name} PRIVATE ${CAIRN_TARGET_WARNINGS})
  target_link_libraries(${name} PRIVATE cairn)
  target_link_options(${name} PRIVATE "--specs=${CAIRN_PICOLIBC_SPECS}"
    -nostartfiles -static -no-pie -Wl,-u,_start -Wl,-u,stdout
    -Wl,--defsym=__flash=0x400000 -Wl,--defsym=__flash_size=0x400000
    -Wl,--defsym=__ram=0x800000 -Wl,--defsym=__ram_size=0x800000
    -Wl,--defsym=__stack=0x10000000)
endfunction()

# What tools/idlgen's output depends on, for custom commands that run it.
set(CAIRN_IDLGEN_DEPENDS
    "${CMAKE_SOURCE_DIR}/tools/idlgen"
    "${CMAKE_SOURCE_DIR}/tools/lib/cairn/idl.py"
    "${CMAKE_SOURCE_DIR}/tools/lib/cairn/idl.grammar"
    "${CMAKE_SOURCE_DIR}/tools/lib/cairn/idlgen.py"
    "${CMAKE_SOURCE_DIR}/tools/lib/cairn/spec.py"
    "${CMAKE_SOURCE_DIR}/tools/lib/cairn/templates/procedure.h.j2"
    "${CMAKE_SOURCE_DIR}/tools/lib/cairn/templates/procedure.c.j2")

# cairn_guest_image(NAME FILE TARGET): FILE, which building TARGET makes,
# is a guest kernel this tree builds, which a manifest names as kernel =
# "@NAME" (tools/lib/cairn/manifest.py finds these calls, so write NAME
# out). Target guest-NAME builds it; guests.txt lists them.
function(cairn_guest_image name file target)
  add_custom_target(guest-${name})
  add_dependencies(guest-${name} ${target})
  set_property(GLOBAL PROPERTY CAIRN_GUEST_FILE_${name} "${file}")
  set_property(GLOBAL APPEND_STRING PROPERTY CAIRN_GUEST_LINES "${name}=${file}\n")
endfunction()

# cairn_flat_guest(NAME SOURCE): a guest of a few instructions, SOURCE (an
# assembly file) linked at 0x40080000 and made a flat binary NAME.bin,
# registered as the built guest image NAME (kernel = "@NAME").
function(cairn_flat_guest name source)
  set(bin "${CMAKE_CURRENT_BINARY_DIR}/${name}.bin")
  add_custom_command(OUTPUT "${bin}"
    COMMAND "${CMAKE_C_COMPILER}" -c "${source}" -o ${name}.o
    COMMAND "${CMAKE_C_COMPILER}" -nostdlib -static -Wl,-Ttext=0x40080000
            -Wl,--build-id=none ${name}.o -o ${name}.elf
    COMMAND "${CMAKE_OBJCOPY}" -O binary -j .text ${name}.elf ${name}.bin
    DEPENDS "${source}"
    WORKING_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}"
    COMMENT "Assembling the ${name} guest"
    VERBATIM)
  add_custom_target(${name} ALL DEPENDS "${bin}")
  cairn_guest_image(${name} "${bin}" ${name})
endfunction()
