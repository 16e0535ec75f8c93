# SPDX-License-Identifier: Apache-2.0
# Warnings every target of ours gets; third-party headers are included as SYSTEM.
add_library(exchange_warnings INTERFACE)
target_compile_options(exchange_warnings INTERFACE -Wall -Wextra -Wpedantic $<$<CXX_COMPILER_ID:GNU>:-Wshadow=local>
  -Wnon-virtual-dtor -Wimplicit-fallthrough)
# GCC 12 at -O3 reports false -Wrestrict on std::string inside libstdc++ (GCC PR 105651).
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(exchange_warnings INTERFACE -Wno-restrict)
endif()
if(EXCHANGE_WERROR)
  target_compile_options(exchange_warnings INTERFACE -Werror)
endif()
