# Writes OUTPUT, a C++ source holding every NNN_name.sql of MIGRATIONS_DIR in version order, so
# that `throat migrate` needs no files beside the binary. Run by the build (src/throat).
file(GLOB files "${MIGRATIONS_DIR}/*.sql")
list(SORT files)
set(entries "")
foreach(file IN LISTS files)
    get_filename_component(base "${file}" NAME_WE)
    string(REGEX MATCH "^([0-9]+)_(.+)$" matched "${base}")
    if(NOT matched)
        message(FATAL_ERROR "migration file name is not NNN_name.sql: ${file}")
    endif()
    math(EXPR version "${CMAKE_MATCH_1}")
    set(name "${CMAKE_MATCH_2}")
    file(READ "${file}" sql)
    string(FIND "${sql}" ")sql\"" clash)
    if(NOT clash EQUAL -1)
        message(FATAL_ERROR "${file} holds the raw-string delimiter )sql\"")
    endif()
    string(APPEND entries "    {${version}, \"${name}\", R\"sql(${sql})sql\"},\n")
endforeach()
file(WRITE "${OUTPUT}.new" "// Generated from ${MIGRATIONS_DIR} by cmake/embed_migrations.cmake.\n"
     "#include \"throat/db/migrations.h\"\n\n"
     "namespace throat::db {\n\n"
     "std::span<const Migration> migrations() {\n"
     "    static const Migration embedded[] = {\n${entries}    };\n"
     "    return embedded;\n"
     "}\n\n"
     "}  // namespace throat::db\n")
file(COPY_FILE "${OUTPUT}.new" "${OUTPUT}" ONLY_IF_DIFFERENT)
