# SPDX-License-Identifier: Apache-2.0
# The FST writer Verilator ships (GTKWave's fstapi.c, compiled into verilated_fst_c.cpp), with
# two races fixed, built in place of Verilator's own copy for TARGET.
#
# With the writer thread on (TRACE_THREADS 1), each block of value changes is written by a new
# thread. When that thread ends it updates the writer's context: where the next section starts
# in the file, where to truncate it. Two places wait for that thread by taking and releasing
# its mutex, which waits only if the thread already holds it - not when it has been created but
# not yet scheduled:
# - fstWriterClose sets "write no section header after this block" for the final block; the
#   previous block's thread, running later, reads that flag and leaves its own header out;
# - fstWriterFlushContextPrivate copies the context for the next block's thread before it
#   waits for the previous one, so the next block can be written from a stale section start.
# Either gives an unreadable file (gtkwave: "fstReaderIterBlocks2(), ... rc=-3"). On this
# 2-core machine three waves runs side by side, 3,000 frames each, gave 10 unreadable files out
# of 12 with Verilator's writer (the first had the last block's header left out); a lone run
# rarely shows it. With the fixes: 0 of 18, all byte-identical. Both fixes wait until the previous
# block's thread has ended (the flag it clears under the mutex), as the code after them
# already assumed.
#
# The texts replaced are checked: another Verilator version stops the configure with a
# message instead of building an unfixed writer.
function(igbsim_fix_fst_writer TARGET)
  set(src_dir ${VERILATOR_ROOT}/include)
  set(out_dir ${CMAKE_BINARY_DIR}/fst_writer)
  file(READ ${src_dir}/gtkwave/fstapi.c fstapi)
  set(wait_prev "        for(;;) /* igbsim: until the previous block's writer thread has ended */
                {
                int busy;
                pthread_mutex_lock(&xc->mutex);
                busy = xc->in_pthread;
                pthread_mutex_unlock(&xc->mutex);
                if(!busy) break;
                }")

  set(close_racy "if(xc)
        {
        pthread_mutex_lock(&xc->mutex);
        pthread_mutex_unlock(&xc->mutex);
        }
#endif")
  set(close_fixed "if(xc)
        {
${wait_prev}
        }
#endif")
  set(flush_racy "        pthread_mutex_lock(&xc->mutex);
        pthread_mutex_unlock(&xc->mutex);

        xc->xc_parent = xc;
        memcpy(xc2, xc, sizeof(struct fstWriterContext));")
  set(flush_fixed "${wait_prev}

        xc->xc_parent = xc;
        memcpy(xc2, xc, sizeof(struct fstWriterContext));")

  foreach(hunk close flush)
    string(FIND "${fstapi}" "${${hunk}_racy}" at)
    if(at EQUAL -1)
      message(FATAL_ERROR "verilated/fst_writer_fix.cmake: ${src_dir}/gtkwave/fstapi.c does not have the "
                          "${hunk} code this fix was written for (Verilator 5.006); check the race there")
    endif()
    string(REPLACE "${${hunk}_racy}" "${${hunk}_fixed}" fstapi "${fstapi}")
  endforeach()
  # Written through configure_file so that an unchanged result leaves the file (and the build)
  # alone at the next configure.
  file(WRITE ${out_dir}/fstapi.c.new "${fstapi}")
  configure_file(${out_dir}/fstapi.c.new ${out_dir}/gtkwave/fstapi.c COPYONLY)
  # verilated_fst_c.cpp includes "gtkwave/fstapi.c" relative to itself: a copy next to the fixed
  # file picks it up; its other includes come from Verilator's include directories.
  configure_file(${src_dir}/verilated_fst_c.cpp ${out_dir}/verilated_fst_c.cpp COPYONLY)

  get_target_property(sources ${TARGET} SOURCES)
  list(FILTER sources EXCLUDE REGEX "/include/verilated_fst_c\\.cpp$")
  set_property(TARGET ${TARGET} PROPERTY SOURCES ${sources})
  target_sources(${TARGET} PRIVATE ${out_dir}/verilated_fst_c.cpp)
  set_source_files_properties(${out_dir}/verilated_fst_c.cpp PROPERTIES
    INCLUDE_DIRECTORIES "${src_dir}/gtkwave")
  set(IGBSIM_FST_WRITER_SOURCE ${out_dir}/verilated_fst_c.cpp PARENT_SCOPE)
endfunction()
