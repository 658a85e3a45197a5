# What `cmake --install` lays out (docs/packaging.md):
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
