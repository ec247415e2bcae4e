# wolfSSL: by default a static build from Debian's source package with
# AES-NI and the Intel assembly (Debian's binary package has neither and is
# ~10x slower per byte). Built once per build tree by tools/build-wolfssl.sh.
add_library(sstpc_wolfssl INTERFACE)
if(SSTPC_SYSTEM_WOLFSSL)
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(WOLFSSL REQUIRED IMPORTED_TARGET wolfssl)
  message(WARNING "Using the system wolfSSL: without AES-NI it is about 10x slower per byte than the default static build")
  target_link_libraries(sstpc_wolfssl INTERFACE PkgConfig::WOLFSSL)
  target_compile_definitions(sstpc_wolfssl INTERFACE SSTPC_WOLFSSL_ORIGIN="system")
else()
  if(SSTPC_STATIC AND SSTPC_WOLFSSL_PREFIX)
    # A shared prefix would be rebuilt with musl under the other trees.
    message(FATAL_ERROR "SSTPC_STATIC builds its own wolfSSL with musl-gcc: leave SSTPC_WOLFSSL_PREFIX unset")
  endif()
  if(SSTPC_WOLFSSL_PREFIX)
    set(_wprefix ${SSTPC_WOLFSSL_PREFIX})
  else()
    set(_wprefix ${CMAKE_BINARY_DIR}/wolfssl)
  endif()
  # The script is idempotent and knows its own flags version (its stamp):
  # a finished prefix returns at once, an outdated one is rebuilt.
  # Every build: wolfSSL's functions in sections of their own (the link
  # drops what nothing calls) and its public-key code without the
  # precomputed point tables (--enable-sp=small: 1.2 MB of tables for
  # P-256/384/521). The tables speed up the one handshake per connection,
  # not the AES-GCM/ChaCha data path; without them the binary's text halves
  # and so does its resident size (file pages are mapped in large folios:
  # what is in the file ends up in VmRSS), while the TLS handshake to sstpd
  # takes the same 0.7-0.8 ms (docs/benchmarks.md).
  # The static binary (SSTPC_STATIC) also needs a wolfSSL built by the same
  # compiler (musl-gcc), seeded from getrandom(2), not /dev/urandom: an empty
  # root or a FROM-scratch container has no /dev/urandom. Record buffers are
  # part of each session in every build (LARGE_STATIC_BUFFERS, ~33 KB):
  # allocated per record, musl's malloc maps and unmaps them, ~1,000
  # mmap+munmap and 5,000 page faults a second at full rate.
  # WOLFSSL_DH_CONST: DH's private key size from wolfSSL's table, not from
  # pow() and log(), its only calls into libm: the process then maps no
  # libm.so (~300 kB of resident pages) and loads one library less.
  set(_wcflags "-ffunction-sections -fdata-sections -DWOLFSSL_DH_CONST")
  set(_wcc)
  if(SSTPC_STATIC)
    set(_wcflags "${_wcflags} -DWOLFSSL_GETRANDOM")
    set(_wcc WOLFSSL_CC=${CMAKE_C_COMPILER})
  endif()
  set(_wenv ${CMAKE_COMMAND} -E env ${_wcc} "WOLFSSL_EXTRA_CFLAGS=${_wcflags}"
      "WOLFSSL_EXTRA_CONFIGURE=--enable-sp=small")
  execute_process(COMMAND ${_wenv} ${CMAKE_SOURCE_DIR}/tools/build-wolfssl.sh ${_wprefix}
                  RESULT_VARIABLE _wrc)
  if(NOT _wrc EQUAL 0)
    message(FATAL_ERROR "wolfSSL build failed (tools/build-wolfssl.sh)")
  endif()
  target_include_directories(sstpc_wolfssl INTERFACE ${_wprefix}/include)
  target_link_libraries(sstpc_wolfssl INTERFACE ${_wprefix}/lib/libwolfssl.a pthread)
  target_compile_definitions(sstpc_wolfssl INTERFACE SSTPC_WOLFSSL_ORIGIN="static")
endif()
# wolfSSL's headers must see its build options first.
target_compile_options(sstpc_wolfssl INTERFACE -include wolfssl/options.h)
