/* repeat.h - M(i) for 1024 distinct numerals i, for tests that need that
 * many distinct call sites (one function each, so each has its own site).
 * i is a base-4 numeral in digits 0..3 after a leading 1..4, from 10000 to
 * 43333, so it reads as a C number in any base and pastes into a name:
 * M(10000) M(10001) ... M(43333).  repeat_value(n) is i's place n. */
#ifndef LG_TEST_REPEAT_H
#define LG_TEST_REPEAT_H

#define REPEAT4_(M, i) M(i##0) M(i##1) M(i##2) M(i##3)
#define REPEAT16_(M, i) REPEAT4_(M, i##0) REPEAT4_(M, i##1) REPEAT4_(M, i##2) REPEAT4_(M, i##3)
#define REPEAT64_(M, i) REPEAT16_(M, i##0) REPEAT16_(M, i##1) REPEAT16_(M, i##2) REPEAT16_(M, i##3)
#define REPEAT256_(M, i) REPEAT64_(M, i##0) REPEAT64_(M, i##1) REPEAT64_(M, i##2) REPEAT64_(M, i##3)
#define REPEAT1024(M) REPEAT256_(M, 1) REPEAT256_(M, 2) REPEAT256_(M, 3) REPEAT256_(M, 4)

#endif
