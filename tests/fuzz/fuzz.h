/*
 * fuzz.h - what the libFuzzer targets in tests/fuzz share.
 *
 * Each fuzz_<name>.c defines LLVMFuzzerTestOneInput over the production
 * code, nothing copied. With -Dfuzzing=true it is linked with libFuzzer;
 * in every other build with replay.c, which runs it once per file, so
 * the inputs kept in regress/<name>/ are a test suite of their own.
 * Targets keep no state between inputs beyond what is set up once
 * (free everything per input: leak detection is on), and never print on
 * their own account.
 *
 * Helpers: a reader that cuts the input into framed pieces, a JSON check
 * of what the event writers write, and a private scratch directory (on
 * tmpfs when there is one) for the code that only reads files.
 */
#ifndef HAIDANG_FUZZ_H
#define HAIDANG_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* Optional in a target; replay.c calls it when the target has one. */
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* The unread rest of an input. */
struct fuzz_in {
	const uint8_t *p;
	size_t n;
};

/* One byte, or def when the input is used up. */
uint8_t fuzz_u8(struct fuzz_in *in, uint8_t def);
/* A 16-bit big-endian number, or def. */
uint16_t fuzz_u16(struct fuzz_in *in, uint16_t def);
/* The next piece: a 16-bit big-endian length, then that many bytes (cut
 * to what is left). False once nothing is left. */
bool fuzz_piece(struct fuzz_in *in, const uint8_t **data, size_t *len);

/* A directory of this process's own, made on first use (NULL if it cannot
 * be made) under $HAIDANG_FUZZ_TMPDIR, /dev/shm, $TMPDIR or /tmp; removed
 * at exit, with the directories made in it. */
const char *fuzz_scratch(void);
/* Writes data to path (replacing it). 0 or a negative errno. */
int fuzz_write_file(const char *path, const uint8_t *data, size_t len);
/* Aborts (a crash to libFuzzer) unless buf[0..len) is one JSON value:
 * the event writers promise that no wire bytes can break their JSON. */
void fuzz_check_json(const char *buf, size_t len);
/* An event object as the EVE writers fill one: fuzz_jw_open() starts it
 * (1 MiB at most), fuzz_jw_check() closes it, checks its JSON unless it
 * overflowed (the writer then drops the event) and frees it. */
struct jw;
void fuzz_jw_open(struct jw *w);
void fuzz_jw_check(struct jw *w);

/* Removes every entry of dir (not recursively) and, with self, dir. */
void fuzz_clear_dir(const char *dir, bool self);

#endif
