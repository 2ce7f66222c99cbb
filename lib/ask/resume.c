/*
 * resume.c - continuing a run that stopped: which records are done.
 *
 * A long run (100,000 prompts) can be killed at any moment.  What it wrote
 * is an output file of complete lines, perhaps followed by one partial
 * line: kc-ask flushes whole records, but a kill during a write, a full
 * disk or a power cut can leave a line without its end.  kc_ask_resume_
 * load reads such a file and collects the ids of the records that have
 * their answers; kc-ask then skips those and asks the rest.
 *
 * The recommended workflow appends to the same file
 *
 *     kc-ask --resume out.jsonl in.jsonl >> out.jsonl
 *
 * which is safe because the whole file is read before anything is
 * written, and because kc_ask_resume_output first cuts a partial last
 * line off (otherwise the first new record would be glued to it and both
 * would be lost to every reader).  `>` instead of `>>` has already
 * emptied the file when kc-ask starts: that is refused, not "resumed".
 *
 * The id set is an open-addressing hash table of owned strings.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kc.h"
#include "ask/private.h"

struct kc_idset {
	char **keys;      /* each: 4-byte length, then the bytes */
	size_t cap;       /* a power of two */
	size_t count;
};

kc_status kc_idset_new(kc_idset **out)
{
	kc_idset *s = calloc(1, sizeof *s);

	*out = NULL;
	if (!s)
		return KC_ENOMEM;
	s->cap = 1024;
	s->keys = calloc(s->cap, sizeof *s->keys);
	if (!s->keys) {
		free(s);
		return KC_ENOMEM;
	}
	*out = s;
	return KC_OK;
}

void kc_idset_free(kc_idset *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->cap; i++)
		free(s->keys[i]);
	free(s->keys);
	free(s);
}

static int key_eq(const char *k, const char *id, size_t len)
{
	uint32_t klen;

	memcpy(&klen, k, sizeof klen);
	return klen == len && !memcmp(k + sizeof klen, id, len);
}

/* The slot holding `id`, or the empty slot where it would go. */
static size_t find(const kc_idset *s, const char *id, size_t len)
{
	size_t i = (size_t)kc_hash64(id, len, 0x6964) & (s->cap - 1);

	while (s->keys[i] && !key_eq(s->keys[i], id, len))
		i = (i + 1) & (s->cap - 1);
	return i;
}

static kc_status grow(kc_idset *s)
{
	kc_idset bigger = { NULL, s->cap * 2, s->count };

	bigger.keys = calloc(bigger.cap, sizeof *bigger.keys);
	if (!bigger.keys)
		return KC_ENOMEM;
	for (size_t i = 0; i < s->cap; i++) {
		uint32_t klen;

		if (!s->keys[i])
			continue;
		memcpy(&klen, s->keys[i], sizeof klen);
		bigger.keys[find(&bigger, s->keys[i] + sizeof klen, klen)] =
			s->keys[i];
	}
	free(s->keys);
	*s = bigger;
	return KC_OK;
}

kc_status kc_idset_add(kc_idset *s, const char *id, size_t len)
{
	uint32_t klen = (uint32_t)len;
	size_t i;
	char *k;

	if (len > UINT32_MAX)
		return KC_ETOOLONG;
	/* Keep the table at most half full so probe runs stay short. */
	if ((s->count + 1) * 2 > s->cap && grow(s))
		return KC_ENOMEM;
	i = find(s, id, len);
	if (s->keys[i])
		return KC_OK;
	k = malloc(sizeof klen + len);
	if (!k)
		return KC_ENOMEM;
	memcpy(k, &klen, sizeof klen);
	memcpy(k + sizeof klen, id, len);
	s->keys[i] = k;
	s->count++;
	return KC_OK;
}

int kc_idset_has(const kc_idset *s, const char *id, size_t len)
{
	return s && s->count && s->keys[find(s, id, len)] != NULL;
}

size_t kc_idset_count(const kc_idset *s)
{
	return s ? s->count : 0;
}

int kc_ask_record_key(const json_t *rec, char *buf, size_t size,
                      const char **key, size_t *len)
{
	json_t *id = json_object_get(rec, "id");
	int n;

	if (json_is_string(id)) {
		*key = json_string_value(id);
		*len = json_string_length(id);
		return 0;
	}
	if (json_is_integer(id)) {
		n = snprintf(buf, size, "%lld", (long long)json_integer_value(id));
		if (n < 0 || (size_t)n >= size)
			return -1;
		*key = buf;
		*len = (size_t)n;
		return 0;
	}
	return -1;
}

/* Find the end of the last complete line of `f` (size `size`): the
 * offset just after its last newline, 0 when it has none. */
static kc_status last_newline(FILE *f, off_t size, off_t *complete)
{
	char buf[4096];
	off_t end = size;

	while (end > 0) {
		off_t start = end > (off_t)sizeof buf ? end - (off_t)sizeof buf : 0;
		size_t n = (size_t)(end - start);

		if (fseeko(f, start, SEEK_SET) || fread(buf, 1, n, f) != n)
			return KC_EIO;
		for (size_t i = n; i > 0; i--) {
			if (buf[i - 1] == '\n') {
				*complete = start + (off_t)i;
				return KC_OK;
			}
		}
		end = start;
	}
	*complete = 0;
	return KC_OK;
}

/* Look at one record of the resume file. */
static kc_status consider(kc_idset *set, json_t *rec,
                          struct kc_ask_resume *info)
{
	char buf[32];
	const char *key;
	size_t len;

	if (!json_is_object(rec))
		return KC_OK;
	if (json_object_get(rec, "ask_error")) {
		info->failed++;
		return KC_OK;
	}
	if (!json_is_array(json_object_get(rec, "responses")))
		return KC_OK;
	if (kc_ask_record_key(rec, buf, sizeof buf, &key, &len))
		return KC_OK;
	info->answered++;
	return kc_idset_add(set, key, len);
}

/* Count one line of the resume file and add its key when answered. */
static kc_status judge(kc_idset *set, json_t *rec, int bad, long line,
                       struct kc_ask_resume *info, struct kc_error *err)
{
	if (bad) {
		if (!info->bad++)
			info->first_bad = line;
		return KC_OK;
	}
	if (consider(set, rec, info))
		return kc_error_set(err, KC_ENOMEM, "out of memory");
	return KC_OK;
}

kc_status kc_ask_resume_load(kc_idset *set, const char *path,
                             struct kc_ask_resume *info,
                             struct kc_error *err)
{
	kc_reader *r = NULL;
	json_t *pending = NULL;
	long pending_line = 0;
	int pending_bad = 0;
	struct stat st;
	kc_status s;
	FILE *f;

	memset(info, 0, sizeof *info);
	f = fopen(path, "rb");
	if (!f || fstat(fileno(f), &st)) {
		int e = errno;

		if (f)
			fclose(f);
		if (err)
			err->saved_errno = e;
		return kc_error_set(err, e == ENOENT ? KC_ENOTFOUND : KC_EIO,
		                    "%s: %s", path, strerror(e));
	}
	if (st.st_size > 0) {
		s = last_newline(f, st.st_size, &info->complete);
		fclose(f);
		if (s)
			return kc_error_set(err, KC_EIO, "%s: read error", path);
		info->partial = info->complete < st.st_size;
	} else {
		fclose(f);
	}
	if ((s = kc_reader_open(&r, path, 0, err)))
		return s;
	/* Each line is judged when the next one arrives: the last line is
	 * ignored when it has no newline, whatever it holds. */
	for (s = KC_OK;;) {
		json_t *rec = NULL;
		kc_status rs = kc_reader_next(r, &rec, err);

		if (rs == KC_EIO || rs == KC_ENOMEM) {
			s = rs;
			break;
		}
		if (rs == KC_EOF)
			break;
		if (pending_line && (s = judge(set, pending, pending_bad,
		                               pending_line, info, err))) {
			json_decref(rec);
			break;
		}
		json_decref(pending);
		info->lines++;
		pending = rec;
		pending_line = kc_reader_lineno(r);
		pending_bad = rs != KC_OK;
	}
	if (!s && pending_line) {
		/* Only the very last physical line can be the partial one
		 * (a blank partial line is skipped by the reader). */
		if (info->partial && pending_line == kc_reader_lineno(r))
			info->lines--;
		else
			s = judge(set, pending, pending_bad, pending_line, info,
			          err);
	}
	json_decref(pending);
	kc_reader_free(r);
	/* The reader's copy of the name is gone with it. */
	if (err)
		err->source = s ? path : NULL;
	return s;
}

kc_status kc_ask_resume_output(int fd, const char *path,
                               const struct kc_ask_resume *info, off_t *cut,
                               struct kc_error *err)
{
	struct stat out, in;
	int flags;

	*cut = 0;
	if (fstat(fd, &out) || stat(path, &in))
		return KC_OK;   /* not both files: nothing to protect */
	if (out.st_dev != in.st_dev || out.st_ino != in.st_ino)
		return KC_OK;
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || !(flags & O_APPEND))
		return kc_error_set(err, KC_EINVAL,
		                    "standard output is %s itself, not opened for "
		                    "appending (use >>, not >)", path);
	if (info->partial && out.st_size > info->complete) {
		if (ftruncate(fd, info->complete)) {
			if (err)
				err->saved_errno = errno;
			return kc_error_set(err, KC_EIO, "%s: %s", path,
			                    strerror(errno));
		}
		*cut = out.st_size - info->complete;
	}
	return KC_OK;
}
