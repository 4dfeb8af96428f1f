# CMake toolchain file for bare-metal Arm Cortex-M with the GNU Arm Embedded toolchain
# (Debian: gcc-arm-none-eabi + libnewlib-arm-none-eabi).
#
# Only the compiler and binutils are chosen here. The CPU flags (-mcpu, -mfpu, ...) are
# per board and are set by firmware/CMakeLists.txt, so one toolchain file serves every
# board (Cortex-M4 STM32F407 today, Cortex-M7 STM32H723 later).

set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)

set(CMSIM_ARM_TRIPLE arm-none-eabi)

find_program(CMAKE_C_COMPILER   ${CMSIM_ARM_TRIPLE}-gcc REQUIRED)
find_program(CMAKE_ASM_COMPILER ${CMSIM_ARM_TRIPLE}-gcc REQUIRED)
find_program(CMAKE_OBJCOPY      ${CMSIM_ARM_TRIPLE}-objcopy REQUIRED)
find_program(CMAKE_OBJDUMP      ${CMSIM_ARM_TRIPLE}-objdump REQUIRED)
find_program(CMAKE_SIZE         ${CMSIM_ARM_TRIPLE}-size REQUIRED)
find_program(CMAKE_AR           ${CMSIM_ARM_TRIPLE}-ar REQUIRED)
find_program(CMAKE_RANLIB       ${CMSIM_ARM_TRIPLE}-ranlib REQUIRED)

# A bare-metal compiler cannot link a test executable without a linker script and startup
# code, so CMake's compiler checks must only build a static library.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

# Never pick up host headers/libraries; programs (objcopy, size, ...) come from the host.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
