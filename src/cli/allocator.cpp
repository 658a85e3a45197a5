// jemalloc's settings for the binary (src/CMakeLists.txt links it outside the sanitizers).
// Memory freed goes back to the system after about a second instead of ten: a scan that spills
// its correlation events frees and refills its budget again and again, and with the default the
// freed pages were still counted when the next ones were taken. At 10 GiB of noisy audit log,
// detect with every public rule set peaks at 276 MB instead of 347 MB, in the same time
// (bench/README.md). MALLOC_CONF, read after this, still overrides it.
#ifdef EKSIR_JEMALLOC
extern "C" {
// The name jemalloc reads its compiled-in options from (it is unprefixed in Debian's build).
extern const char* malloc_conf;
const char* malloc_conf = "dirty_decay_ms:1000";
}
#endif
