# SPDX-License-Identifier: Apache-2.0
# cmake -DOUTPUT=file.cpp -DFILES=a.sql,b.sql -P EmbedMigrations.cmake
# Writes the definition of exchange::store::EmbeddedMigrations().
string(REPLACE "," ";" FILES "${FILES}")
set(body "")
foreach(path ${FILES})
  get_filename_component(name ${path} NAME_WE)
  string(REGEX MATCH "^[0-9]+" version ${name})
  math(EXPR version "${version}")
  file(READ ${path} sql)
  string(APPEND body "    {${version}, \"${name}\", R\"exchange_sql(${sql})exchange_sql\"},\n")
endforeach()
file(WRITE ${OUTPUT}.tmp "// Generated from migrations/*.sql by cmake/EmbedMigrations.cmake.
#include \"store/migration_set.h\"

namespace exchange::store {

const std::vector<Migration>& EmbeddedMigrations() {
  static const std::vector<Migration> migrations = {
${body}  };
  return migrations;
}

}  // namespace exchange::store
")
file(COPY_FILE ${OUTPUT}.tmp ${OUTPUT} ONLY_IF_DIFFERENT)
