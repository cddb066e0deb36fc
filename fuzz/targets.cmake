# Shared by fuzz/CMakeLists.txt (libFuzzer builds) and the replay tests (any compiler).
# imgpipe_fuzz_targets(<out-var>) lists the fuzzer names (file stem without _fuzzer).
function(imgpipe_fuzz_targets out)
  file(GLOB srcs CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/fuzz/*_fuzzer.cc)
  set(names)
  foreach(src IN LISTS srcs)
    get_filename_component(stem ${src} NAME_WE)
    string(REGEX REPLACE "_fuzzer$" "" name ${stem})
    list(APPEND names ${name})
  endforeach()
  set(${out} ${names} PARENT_SCOPE)
endfunction()
