# All third-party libraries come from Debian 12 packages (scripts/setup.sh installs them).
find_package(PkgConfig REQUIRED)
find_package(JPEG REQUIRED)
find_package(GIF REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(nlohmann_json REQUIRED)
find_package(CLI11 REQUIRED)
find_package(Threads REQUIRED)
pkg_check_modules(SPNG REQUIRED IMPORTED_TARGET spng)
# libsharpyuv is a separate library only from libwebp 1.3; Debian 12 ships 1.2.4.
pkg_check_modules(WEBP REQUIRED IMPORTED_TARGET libwebp libwebpdemux)
pkg_check_modules(LCMS2 REQUIRED IMPORTED_TARGET lcms2)
find_package(GTest REQUIRED)
