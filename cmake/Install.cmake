# SPDX-License-Identifier: Apache-2.0
# Install rules and the Debian packages (CPack DEB): `exchanged` (the server,
# its man page, systemd unit, configuration file, Prometheus alerts, Grafana
# dashboard and docs) and `exchangectl` (the client, its man page and bash
# completion).
#
# Paths are Debian's: binaries, man pages and docs under the install prefix
# (/usr in the packages), the configuration in /etc/exchange and the unit in
# /lib/systemd/system as absolute paths, so stage by hand with
#   DESTDIR=/tmp/root cmake --install build --prefix /usr
# scripts/package builds the .deb files; tests/deploy checks them.
include_guard(GLOBAL)

set(EXCHANGE_PACKAGE_MAINTAINER "Coalition Hash Exchange maintainers <maintainers@exchange.example>")
set(deb_dir ${PROJECT_SOURCE_DIR}/deploy/debian)
set(stage_dir ${CMAKE_BINARY_DIR}/install-files)

# The Debian changelog names the version being packaged: it must be this one.
file(STRINGS ${deb_dir}/changelog changelog_head LIMIT_COUNT 1)
if(NOT changelog_head MATCHES "^[a-z0-9.+-]+ \\(${PROJECT_VERSION}\\) ")
  message(FATAL_ERROR "deploy/debian/changelog starts with '${changelog_head}': add an entry for ${PROJECT_VERSION}")
endif()

# Man pages, from the binaries' own --help and --version (cmake/full-help.sh
# adds every command's --help), compressed as Debian wants them.
find_program(HELP2MAN help2man)
find_program(GZIP gzip REQUIRED)
set(man_pages "")
function(exchange_man_page program section summary)
  # help2man names the page after the program it runs: a wrapper of that name.
  set(wrapper ${CMAKE_BINARY_DIR}/man/bin/${program})
  file(GENERATE OUTPUT ${wrapper}
       CONTENT "#!/bin/sh\nexec sh '${PROJECT_SOURCE_DIR}/cmake/full-help.sh' '$<TARGET_FILE:${program}>' \"$@\"\n"
       FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
  set(page ${CMAKE_BINARY_DIR}/man/${program}.${section})
  set(include ${PROJECT_SOURCE_DIR}/deploy/man/${program}.h2m)
  add_custom_command(
    OUTPUT ${page}.gz
    COMMAND ${HELP2MAN} --no-info --locale=C.UTF-8 --section=${section} --name=${summary} --include=${include}
            --output=${page} ${wrapper}
    COMMAND ${GZIP} -9nf ${page}
    DEPENDS ${program} ${PROJECT_SOURCE_DIR}/cmake/full-help.sh ${include}
    COMMENT "Generating ${program}(${section}) from ${program} --help"
    VERBATIM)
  set(man_pages ${man_pages} ${page}.gz PARENT_SCOPE)
endfunction()
# Instrumented builds (sanitizers, fuzzing) are not packaged: no pages there.
if(HELP2MAN AND NOT EXCHANGE_SANITIZE AND NOT EXCHANGE_FUZZ)
  exchange_man_page(exchanged 8 "the Coalition Hash Exchange server")
  exchange_man_page(exchangectl 1 "the Coalition Hash Exchange client")
  add_custom_target(man_pages ALL DEPENDS ${man_pages})
elseif(NOT HELP2MAN)
  message(WARNING "help2man not found (scripts/bootstrap installs it): no man pages, so no packages")
endif()

# The changelog, compressed as in every Debian package.
add_custom_command(
  OUTPUT ${stage_dir}/changelog.gz
  COMMAND ${CMAKE_COMMAND} -E make_directory ${stage_dir}
  COMMAND ${GZIP} -9nc ${deb_dir}/changelog > ${stage_dir}/changelog.gz
  DEPENDS ${deb_dir}/changelog
  VERBATIM)
add_custom_target(package_files ALL DEPENDS ${stage_dir}/changelog.gz)

# exchanged
install(TARGETS exchanged RUNTIME DESTINATION sbin COMPONENT exchanged)
if(man_pages)
  install(FILES ${CMAKE_BINARY_DIR}/man/exchanged.8.gz DESTINATION share/man/man8 COMPONENT exchanged)
  install(FILES ${CMAKE_BINARY_DIR}/man/exchangectl.1.gz DESTINATION share/man/man1 COMPONENT exchangectl)
endif()
install(FILES ${PROJECT_SOURCE_DIR}/deploy/exchanged.service DESTINATION /lib/systemd/system COMPONENT exchanged)
install(FILES ${PROJECT_SOURCE_DIR}/deploy/exchanged.conf DESTINATION /etc/exchange
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ COMPONENT exchanged)
install(FILES ${PROJECT_SOURCE_DIR}/deploy/prometheus/alerts.yml ${PROJECT_SOURCE_DIR}/deploy/prometheus/blackbox.yml
        DESTINATION share/exchanged/prometheus COMPONENT exchanged)
install(FILES ${PROJECT_SOURCE_DIR}/deploy/grafana/exchange-dashboard.json
        DESTINATION share/exchanged/grafana COMPONENT exchanged)
# The nginx tile cache's configuration template (docs/operations.md, "A tile cache in front").
install(FILES ${PROJECT_SOURCE_DIR}/deploy/nginx/tlog-cache.conf DESTINATION share/exchanged/nginx COMPONENT exchanged)
install(FILES ${deb_dir}/exchanged.lintian-overrides DESTINATION share/lintian/overrides RENAME exchanged
        COMPONENT exchanged)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/docs/operations.md
              ${PROJECT_SOURCE_DIR}/docs/security.md ${PROJECT_SOURCE_DIR}/docs/api.md
              ${PROJECT_SOURCE_DIR}/docs/feed.md ${PROJECT_SOURCE_DIR}/docs/signals.md
              ${PROJECT_SOURCE_DIR}/docs/reports.md ${deb_dir}/copyright ${stage_dir}/changelog.gz
        DESTINATION share/doc/exchanged COMPONENT exchanged)

# exchangectl
install(TARGETS exchangectl RUNTIME DESTINATION bin COMPONENT exchangectl)
install(FILES ${PROJECT_SOURCE_DIR}/deploy/bash-completion/exchangectl
        DESTINATION share/bash-completion/completions COMPONENT exchangectl)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/docs/client.md ${deb_dir}/copyright
              ${stage_dir}/changelog.gz
        DESTINATION share/doc/exchangectl COMPONENT exchangectl)

# Packages
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME coalition-hash-exchange)
set(CPACK_PACKAGE_VENDOR "Coalition Hash Exchange")
set(CPACK_PACKAGE_CONTACT "${EXCHANGE_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_COMPONENTS_ALL exchanged exchangectl)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SOURCE coalition-hash-exchange)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${EXCHANGE_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
# dpkg-shlibdeps reads the binaries and writes Depends: (libssl3, libpqxx-6.4, ...).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS OFF)

set(CPACK_DEBIAN_EXCHANGED_PACKAGE_NAME exchanged)
set(CPACK_DEBIAN_EXCHANGED_PACKAGE_SECTION net)
set(CPACK_DEBIAN_EXCHANGED_PACKAGE_SUGGESTS "exchangectl, postgresql (>= 15), prometheus")
set(CPACK_DEBIAN_EXCHANGED_PACKAGE_CONTROL_EXTRA ${CMAKE_BINARY_DIR}/debian/exchanged/conffiles)
set(CPACK_DEBIAN_EXCHANGED_PACKAGE_CONTROL_STRICT_PERMISSION ON)
configure_file(${deb_dir}/exchanged.conffiles ${CMAKE_BINARY_DIR}/debian/exchanged/conffiles COPYONLY)
set(CPACK_COMPONENT_EXCHANGED_DESCRIPTION
    "Coalition Hash Exchange server
exchanged is the hub where technology companies share hashes of known child
sexual abuse material and threat signals, over mutually authenticated TLS,
as verifiable append-only logs with signed checkpoints, backed by
PostgreSQL. This package holds the server, a hardened systemd unit, its
configuration file, Prometheus alert rules and a Grafana dashboard.")

set(CPACK_DEBIAN_EXCHANGECTL_PACKAGE_NAME exchangectl)
set(CPACK_DEBIAN_EXCHANGECTL_PACKAGE_SECTION net)
set(CPACK_COMPONENT_EXCHANGECTL_DESCRIPTION
    "Coalition Hash Exchange client
exchangectl is the one client of the Coalition Hash Exchange for members,
coalition admins and auditors: enrollment, a verified local mirror of the
feed, offline matching and hashing (MD5, SHA-256, PDQ), submissions,
opinions, reports and the audit log.")

include(CPack)
