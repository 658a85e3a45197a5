# What `cmake --install` lays out and what `cpack` packs (docs/packaging.md):
#
#   bin/eksir                              the program
#   share/eksir/rules/builtin/             the built-in rule pack (found relative to bin/eksir)
#   share/doc/eksir/README.md, docs/*.md   the documentation
#   share/man/man1/eksir.1.gz              the man page, made at build time from eksir's own help

# The man page: scripts/manpage.sh runs the built binary's --help and every command's.
set(EKSIR_MANPAGE ${PROJECT_BINARY_DIR}/eksir.1)
add_custom_command(OUTPUT ${EKSIR_MANPAGE} ${EKSIR_MANPAGE}.gz
  COMMAND bash ${PROJECT_SOURCE_DIR}/scripts/manpage.sh $<TARGET_FILE:eksir_cli> ${EKSIR_MANPAGE}
          --gzip
  DEPENDS eksir_cli ${PROJECT_SOURCE_DIR}/scripts/manpage.sh
  COMMENT "Writing the man page eksir.1 from eksir --help"
  VERBATIM)
add_custom_target(eksir_manpage ALL DEPENDS ${EKSIR_MANPAGE} ${EKSIR_MANPAGE}.gz)

install(DIRECTORY ${PROJECT_SOURCE_DIR}/rules/builtin/ DESTINATION ${EKSIR_INSTALL_RULES_DIR})
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
# Beside README.md as in the checkout, so its links to docs/*.md hold.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs
  FILES_MATCHING PATTERN "*.md")
install(FILES ${EKSIR_MANPAGE}.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

# The Debian package: `cpack -G DEB` in the build folder (or `cmake --build build --target
# package`). Its Depends come from the shared libraries the binary links, by dpkg-shlibdeps.
set(CPACK_PACKAGE_NAME eksir)
set(CPACK_PACKAGE_VENDOR eksir)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "incident response for Amazon EKS")
set(CPACK_PACKAGE_DESCRIPTION
  "eksir reads the evidence of a suspected Amazon EKS compromise (CloudTrail, Kubernetes audit \
logs, GuardDuty findings, Falco and EDR alerts, image vulnerability findings, a cluster \
snapshot) and tells the responder what happened, in what order, who and what is affected and \
how severe it is, with the evidence for each claim. It plans the containment, eradication and \
recovery, keeps everything in a case, and writes the report. It works offline, on files and \
folders, plain or gzip.")
set(CPACK_GENERATOR DEB)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_CHECKSUM SHA256)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(EKSIR_PACKAGE_MAINTAINER "eksir maintainers <maintainers@eksir.invalid>" CACHE STRING
  "The Maintainer field of the Debian package")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${EKSIR_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# collect and respond run the aws CLI (and kubectl, which Debian does not ship).
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "awscli")
find_program(EKSIR_DPKG_SHLIBDEPS dpkg-shlibdeps)
if(EKSIR_DPKG_SHLIBDEPS)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
else()
  message(STATUS "dpkg-shlibdeps not found (Debian's dpkg-dev): a Debian package made here "
                 "would name no dependencies")
endif()
include(CPack)
