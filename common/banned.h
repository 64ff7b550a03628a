/*
 * banned.h - libc calls that have no place in haidang.
 *
 * Included last by every haidang source file. Each of these functions writes
 * without a bound or parses without reporting errors; the replacements are
 * snprintf(), str_copy() from util.h and the strto*() family. Using one of
 * them fails the build with a message naming the function.
 */
#ifndef HAIDANG_BANNED_H
#define HAIDANG_BANNED_H

#define BANNED(func) sorry_##func##_is_banned_in_haidang

#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) BANNED(strncpy)
#undef strncat
#define strncat(x, y, n) BANNED(strncat)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef gets
#define gets(x) BANNED(gets)
#undef atoi
#define atoi(x) BANNED(atoi)

#endif
