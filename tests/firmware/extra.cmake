# Included by tests/CMakeLists.txt: host build of the portable scheduler core
# (firmware/kernel/sched_core.c, plain C99) into test_firmware, for sched_core_test.cpp.
# The C file gets the same warnings-as-errors as the C++ sources.
if(TARGET test_firmware)
    set(CMSIM_SCHED_CORE_C ${CMAKE_SOURCE_DIR}/firmware/kernel/sched_core.c)
    target_sources(test_firmware PRIVATE ${CMSIM_SCHED_CORE_C})
    target_include_directories(test_firmware PRIVATE ${CMAKE_SOURCE_DIR}/firmware/kernel)
    set_source_files_properties(${CMSIM_SCHED_CORE_C} TARGET_DIRECTORY test_firmware
        PROPERTIES COMPILE_OPTIONS "-Wall;-Wextra;-Werror")
endif()
