/* The peer: plain functions in a shared library, called through the PLT
 * and bound lazily by glibc's dynamic linker (link with -z lazy). */
#define F(i) int peer_##i(int a, int b);  int peer_##i(int a, int b) { return a + b + i; }
#define F4(i) F(i##0) F(i##1) F(i##2) F(i##3)
#define F16(i) F4(i##0) F4(i##1) F4(i##2) F4(i##3)
#define F64(i) F16(i##0) F16(i##1) F16(i##2) F16(i##3)
F64(1) F64(2) F64(3) F64(4)
