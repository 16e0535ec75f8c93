# SPDX-License-Identifier: Apache-2.0
# cmake -DOUTPUT=file.cpp -DFILES=a.html,b.js -P EmbedConsole.cmake
# Writes the definition of exchange::api::EmbeddedConsoleAssets(): every file
# of console/ by its name, with its media type, as bytes in the binary.
string(REPLACE "," ";" FILES "${FILES}")
set(body "")
foreach(path ${FILES})
  get_filename_component(name ${path} NAME)
  get_filename_component(ext ${path} LAST_EXT)
  if(ext STREQUAL ".html")
    set(type "text/html; charset=utf-8")
  elseif(ext STREQUAL ".css")
    set(type "text/css; charset=utf-8")
  elseif(ext STREQUAL ".js")
    set(type "text/javascript; charset=utf-8")
  elseif(ext STREQUAL ".svg")
    set(type "image/svg+xml")
  else()
    message(FATAL_ERROR "console/${name}: no media type for ${ext}; the console holds .html, .css, .js and .svg")
  endif()
  file(READ ${path} text)
  string(FIND "${text}" ")exchange_console\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "console/${name} contains the raw-string delimiter )exchange_console\"")
  endif()
  string(APPEND body "    {\"${name}\", \"${type}\", R\"exchange_console(${text})exchange_console\"},\n")
endforeach()
file(WRITE ${OUTPUT}.tmp "// Generated from console/* by cmake/EmbedConsole.cmake.
#include \"api/console_assets.h\"

namespace exchange::api {

const std::vector<ConsoleAsset>& EmbeddedConsoleAssets() {
  static const std::vector<ConsoleAsset> assets = {
${body}  };
  return assets;
}

}  // namespace exchange::api
")
file(COPY_FILE ${OUTPUT}.tmp ${OUTPUT} ONLY_IF_DIFFERENT)
