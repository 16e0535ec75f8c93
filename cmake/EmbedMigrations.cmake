# SPDX-License-Identifier: Apache-2.0
# cmake -DOUTPUT=file.cpp -DFILES=a.sql,b.sql -P EmbedMigrations.cmake
# Writes the definition of exchange::store::EmbeddedMigrations().
include(${CMAKE_CURRENT_LIST_DIR}/EmbedFiles.cmake)
set(body "")
foreach(path ${FILES})
  get_filename_component(name ${path} NAME_WE)
  string(REGEX MATCH "^[0-9]+" version ${name})
  math(EXPR version "${version}")
  file(READ ${path} sql)
  string(APPEND body "    {${version}, \"${name}\", R\"exchange_sql(${sql})exchange_sql\"},\n")
endforeach()
embed_write(migrations/*.sql store/migration_set.h exchange::store Migration EmbeddedMigrations migrations "${body}")
