/* Sets flush-to-zero and denormals-are-zero when a program starts (LD_PRELOAD), "from
 * outside": the reference a program's own handling of subnormal floats is held to in
 * scripts/bench-subnormal.sh. Threads the program starts later inherit the mode on Linux. */
#include <xmmintrin.h>

__attribute__((constructor)) static void flush_subnormals(void) {
    _mm_setcsr(_mm_getcsr() | 0x8040); /* FTZ (bit 15) | DAZ (bit 6) */
}
