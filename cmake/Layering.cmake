# The dependency rule: the image core knows nothing of AWS, Lambda, the CLI or the network.
# Enforced twice: imgpipe_core links no network library (see src/core/CMakeLists.txt), and
# this configure-time scan fails the build if a core file includes an outer layer's header.
function(imgpipe_check_core_layering)
  file(GLOB core_files ${PROJECT_SOURCE_DIR}/src/core/*.cc ${PROJECT_SOURCE_DIR}/src/core/*.h
       ${PROJECT_SOURCE_DIR}/include/imgpipe/*.h)
  foreach(f IN LISTS core_files)
    file(STRINGS ${f} bad REGEX "#include [<\"](aws/|lambda/|cli/|curl/|openssl/)")
    if(bad)
      message(FATAL_ERROR "layering: ${f} includes ${bad}; src/core must not depend on aws/lambda/cli/network")
    endif()
  endforeach()
endfunction()
