# SPDX-License-Identifier: Apache-2.0
# Writes exchange/version/build_info.h (cmake -P, at every build): the git
# commit of SOURCE_DIR and the build date. configure_file leaves the header
# untouched when nothing changed, so an unchanged tree recompiles nothing.
#   -DSOURCE_DIR -DTEMPLATE -DOUTPUT -DVERSION -DLIBPQXX_VERSION -DLIBPQ_VERSION
set(COMMIT "unknown")
find_program(GIT git)
if(GIT AND EXISTS "${SOURCE_DIR}/.git")
  execute_process(COMMAND ${GIT} -C ${SOURCE_DIR} rev-parse --short=12 HEAD
                  OUTPUT_VARIABLE head OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc ERROR_QUIET)
  if(rc EQUAL 0 AND head)
    set(COMMIT "${head}")
    # Tracked files that differ from HEAD make the commit a lie: say so.
    execute_process(COMMAND ${GIT} -C ${SOURCE_DIR} status --porcelain --untracked-files=no
                    OUTPUT_VARIABLE changes ERROR_QUIET)
    if(NOT changes STREQUAL "")
      string(APPEND COMMIT "-modified")
    endif()
  endif()
endif()

# string(TIMESTAMP) uses $SOURCE_DATE_EPOCH when it is set (reproducible builds).
string(TIMESTAMP BUILD_DATE "%Y-%m-%d" UTC)

foreach(var VERSION LIBPQXX_VERSION LIBPQ_VERSION)
  if("${${var}}" STREQUAL "")
    set(${var} "unknown")
  endif()
endforeach()
configure_file(${TEMPLATE} ${OUTPUT} @ONLY)
