# cmake -DBUILT=... -DCOMMITTED=... -DSOURCE=... -DSTAMP=... -P check.cmake:
# the committed binary must be what its source assembles to.
execute_process(COMMAND "${CMAKE_COMMAND}" -E compare_files "${BUILT}"
                        "${COMMITTED}"
                RESULT_VARIABLE differ)
if(differ)
  message(FATAL_ERROR "${COMMITTED} is not what ${SOURCE} assembles to: "
    "copy ${BUILT} over it and commit both")
endif()
file(TOUCH "${STAMP}")
