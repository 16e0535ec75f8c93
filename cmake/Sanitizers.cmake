# SPDX-License-Identifier: Apache-2.0
# ASan + UBSan for the whole build when EXCHANGE_SANITIZE is on (scripts/test --sanitize).
if(EXCHANGE_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
  # GCC 12's flow analysis under the sanitizers reports false -Wmaybe-uninitialized
  # inside libstdc++ (std::regex, std::function); the Release build keeps the warning.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    add_compile_options(-Wno-maybe-uninitialized)
  endif()
endif()

# The fuzz build instruments everything for libFuzzer's coverage and ASan/UBSan.
if(EXCHANGE_FUZZ)
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
