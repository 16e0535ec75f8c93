# SPDX-License-Identifier: Apache-2.0
# What the Embed*.cmake scripts (cmake -P) share. On include, FILES (comma-
# separated on the command line, as a list would not survive it) becomes a
# list. embed_write() writes the generated C++ file.
string(REPLACE "," ";" FILES "${FILES}")

# embed_write(FROM HEADER NAMESPACE TYPE FUNCTION VARIABLE BODY)
# Writes OUTPUT, generated from FROM by the calling script: it includes HEADER
# and defines NAMESPACE::FUNCTION(), which returns a static
# `const std::vector<TYPE>` VARIABLE initialised with BODY (one initialiser a
# line). OUTPUT is replaced only when its text changes, so an unchanged input
# rebuilds nothing.
function(embed_write from header namespace type function variable body)
  get_filename_component(script ${CMAKE_SCRIPT_MODE_FILE} NAME)
  file(WRITE ${OUTPUT}.tmp "// Generated from ${from} by cmake/${script}.
#include \"${header}\"

namespace ${namespace} {

const std::vector<${type}>& ${function}() {
  static const std::vector<${type}> ${variable} = {
${body}  };
  return ${variable};
}

}  // namespace ${namespace}
")
  file(COPY_FILE ${OUTPUT}.tmp ${OUTPUT} ONLY_IF_DIFFERENT)
endfunction()
