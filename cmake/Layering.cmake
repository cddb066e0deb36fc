# The dependency rule: core at the bottom; options (the option table, which names environment
# variables and CLI flags) on core only; aws, lambda and cli above them; lambda and cli may use
# options, lambda may use aws, and nothing else crosses. The image core links no network library (src/core/CMakeLists.txt), and
# this configure-time scan fails the build when a file includes a header of a layer it must not
# know.
function(imgpipe_check_layer root layer forbidden_regex)
  if(layer STREQUAL "core")
    file(GLOB files ${root}/src/core/*.cc ${root}/src/core/*.h
         ${root}/include/imgpipe/*.h)
  else()
    file(GLOB files ${root}/src/${layer}/*.cc ${root}/src/${layer}/*.h)
  endif()
  foreach(f IN LISTS files)
    file(STRINGS ${f} bad REGEX "#include [<\"](${forbidden_regex})/")
    if(bad)
      # NOTICE prints the line as is; FATAL_ERROR would rewrap it at the terminal's width, so a
      # long checkout path splits the sentence the lint test looks for across lines.
      message(NOTICE "layering: ${f} includes ${bad}; src/${layer} must not include "
                     "${forbidden_regex}")
      message(FATAL_ERROR "layering check failed")
    endif()
  endforeach()
endfunction()

function(imgpipe_check_layering root)
  imgpipe_check_layer(${root} core "aws|lambda|cli|options|curl|openssl")
  imgpipe_check_layer(${root} options "aws|lambda|cli|curl|openssl")
  imgpipe_check_layer(${root} aws "lambda|cli|options")
  # The CLI works on local files only; it would need aws only if it learned to talk to S3.
  imgpipe_check_layer(${root} cli "lambda|aws|curl|openssl")
endfunction()

# Script mode, for the lint test that proves the scan can fail: cmake -DROOT=DIR -P Layering.cmake
if(CMAKE_SCRIPT_MODE_FILE AND DEFINED ROOT)
  imgpipe_check_layering(${ROOT})
endif()
