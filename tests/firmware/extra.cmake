# Included by tests/CMakeLists.txt: host builds of portable firmware code into
# test_firmware: the scheduler core (firmware/kernel/sched_core.c, for sched_core_test.cpp)
# and the benchmark workloads (firmware/bench/*_workload.c, for bench_firmware_test.cpp).
# The C files get the same warnings-as-errors as the C++ sources.
if(TARGET test_firmware)
    set(CMSIM_HOST_FIRMWARE_C
        ${CMAKE_SOURCE_DIR}/firmware/kernel/sched_core.c
        ${CMAKE_SOURCE_DIR}/firmware/bench/cpu_workload.c
        ${CMAKE_SOURCE_DIR}/firmware/bench/sched_workload.c)
    target_sources(test_firmware PRIVATE ${CMSIM_HOST_FIRMWARE_C})
    target_include_directories(test_firmware PRIVATE
        ${CMAKE_SOURCE_DIR}/firmware/kernel ${CMAKE_SOURCE_DIR}/firmware/bench)
    set_source_files_properties(${CMSIM_HOST_FIRMWARE_C} TARGET_DIRECTORY test_firmware
        PROPERTIES COMPILE_OPTIONS "-Wall;-Wextra;-Werror")
endif()
