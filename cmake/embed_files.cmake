# Writes OUTPUT, a C++ source defining FUNCTION (in namespace throat::web) that returns every file
# of DIR as {name, content}, so that the program needs no files beside the binary: the page
# templates and the static assets. Run by the build (src/throat).
file(GLOB files "${DIR}/*")
list(SORT files)
set(entries "")
foreach(file IN LISTS files)
    get_filename_component(name "${file}" NAME)
    file(READ "${file}" content)
    string(FIND "${content}" ")embedded\"" clash)
    if(NOT clash EQUAL -1)
        message(FATAL_ERROR "${file} holds the raw-string delimiter )embedded\"")
    endif()
    string(APPEND entries "        {\"${name}\", R\"embedded(${content})embedded\"},\n")
endforeach()
file(WRITE "${OUTPUT}.new" "// Generated from ${DIR} by cmake/embed_files.cmake.\n"
     "#include \"throat/web/embedded_files.h\"\n\n"
     "namespace throat::web {\n\n"
     "std::span<const EmbeddedFile> ${FUNCTION}() {\n"
     "    static const EmbeddedFile embedded[] = {\n${entries}    };\n"
     "    return embedded;\n"
     "}\n\n"
     "}  // namespace throat::web\n")
file(COPY_FILE "${OUTPUT}.new" "${OUTPUT}" ONLY_IF_DIFFERENT)
