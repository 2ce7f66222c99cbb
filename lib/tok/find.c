/*
 * find.c - find the tokenizer file a user names.
 *
 * A spec is tried as, in order:
 *   NULL or ""   $KC_TOKENIZER, else "qwen";
 *   "approx"     the approximate counter (no file);
 *   a short name (qwen, llama3, cl100k, o200k), looked up in
 *                $KC_TOKENIZER_DIR, then ../share/kc/tokenizers next to
 *                the running executable (where `make` and `make install`
 *                put them), then KC_DATADIR/tokenizers;
 *   a path       a tokenizer.json (any other name is read as one too), a
 *                directory holding tokenizer.json, or a .tiktoken file;
 *   a Hugging Face repo id ("Qwen/Qwen2.5-7B-Instruct"), looked up in the
 *                local Hugging Face cache as huggingface_hub lays it out:
 *                HUB/models--Qwen--Qwen2.5-7B-Instruct/refs/main names the
 *                snapshot, snapshots/<sha>/tokenizer.json.  HUB is
 *                $HF_HUB_CACHE, else $HF_HOME/hub, else
 *                $XDG_CACHE_HOME/huggingface/hub, else
 *                ~/.cache/huggingface/hub.
 * Nothing is downloaded.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/private.h"
#include "tok/private.h"

#ifndef KC_DATADIR
#define KC_DATADIR "/usr/local/share/kc"
#endif

static const struct {
	const char *name, *file;
	int format;
} short_names[] = {
	{ "qwen", "qwen/tokenizer.json", TK_FMT_HF },
	{ "llama3", "llama3/tokenizer.json", TK_FMT_HF },
	{ "cl100k", "cl100k.tiktoken", TK_FMT_TIKTOKEN },
	{ "o200k", "o200k.tiktoken", TK_FMT_TIKTOKEN },
};

static int is_file(const char *p)
{
	struct stat sb;

	return stat(p, &sb) == 0 && S_ISREG(sb.st_mode);
}

static int is_dir(const char *p)
{
	struct stat sb;

	return stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static char *join(const char *a, const char *b, const char *c)
{
	size_t n = strlen(a) + strlen(b) + (c ? strlen(c) : 0) + 3;
	char *p = malloc(n);

	if (p)
		snprintf(p, n, "%s/%s%s%s", a, b, c ? "/" : "", c ? c : "");
	return p;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

/* The directory of the running executable's ../share/kc/tokenizers. */
static char *exe_tokdir(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	char *slash;

	if (n <= 0)
		return NULL;
	exe[n] = 0;
	if (!(slash = strrchr(exe, '/')))
		return NULL;
	*slash = 0;
	return join(exe, "../share/kc/tokenizers", NULL);
}

static kc_status find_short(const char *spec, int k, char **path,
                            int *format, struct kc_error *err)
{
	char *dirs[3];
	const char *env = getenv("KC_TOKENIZER_DIR");
	char tried[400] = "";

	dirs[0] = env && *env ? strdup(env) : NULL;
	dirs[1] = exe_tokdir();
	dirs[2] = strdup(KC_DATADIR "/tokenizers");
	*path = NULL;
	for (int i = 0; i < 3; i++) {
		char *p;

		if (!dirs[i] || *path)
			continue;
		if (!(p = join(dirs[i], short_names[k].file, NULL)))
			continue;
		if (is_file(p)) {
			*path = p;
			*format = short_names[k].format;
		} else {
			size_t l = strlen(tried);

			snprintf(tried + l, sizeof tried - l, "%s%s", l ? ", " : "",
			         dirs[i]);
			free(p);
		}
	}
	for (int i = 0; i < 3; i++)
		free(dirs[i]);
	if (*path)
		return KC_OK;
	return kc_error_set(err, KC_ENOTFOUND, "tokenizer '%s' not found in %s "
	                    "(run 'make tokenizers-all', or set "
	                    "KC_TOKENIZER_DIR)", spec, tried);
}

static kc_status find_path(const char *spec, char **path, int *format,
                           struct kc_error *err)
{
	if (is_dir(spec)) {
		char *p = join(spec, "tokenizer.json", NULL);

		if (p && is_file(p)) {
			*path = p;
			*format = TK_FMT_HF;
			return KC_OK;
		}
		free(p);
		return kc_error_set(err, KC_ENOTFOUND, "%s: no tokenizer.json in "
		                    "this directory", spec);
	}
	*path = strdup(spec);
	if (!*path)
		return kc_error_nomem(err);
	*format = ends_with(spec, ".tiktoken") ? TK_FMT_TIKTOKEN : TK_FMT_HF;
	return KC_OK;
}

/* "owner/name": one slash, neither part empty nor "." or ".." */
static int is_repo_id(const char *s)
{
	const char *slash = strchr(s, '/');

	if (!slash || strchr(slash + 1, '/') || slash == s || !slash[1])
		return 0;
	if (s[0] == '.' || slash[1] == '.')
		return 0;
	for (const char *p = s; *p; p++)
		if (!(*p == '/' || *p == '-' || *p == '_' || *p == '.' ||
		      (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= 'A' && *p <= 'Z')))
			return 0;
	return 1;
}

static char *hub_dir(void)
{
	const char *v;

	if ((v = getenv("HF_HUB_CACHE")) && *v)
		return strdup(v);
	if ((v = getenv("HF_HOME")) && *v)
		return join(v, "hub", NULL);
	if ((v = getenv("XDG_CACHE_HOME")) && *v)
		return join(v, "huggingface", "hub");
	if ((v = getenv("HOME")) && *v)
		return join(v, ".cache/huggingface", "hub");
	return NULL;
}

static kc_status find_repo(const char *spec, char **path, int *format,
                           struct kc_error *err)
{
	char *hub = hub_dir(), *model = NULL, *ref = NULL, *snap = NULL;
	char name[300], sha[128];
	FILE *f;
	kc_status st = KC_ENOTFOUND;

	*path = NULL;
	if (!hub)
		return kc_error_set(err, KC_ENOTFOUND, "tokenizer '%s': no Hugging "
		                    "Face cache directory (set HF_HOME)", spec);
	/* huggingface_hub's folder name: "models--" + id with "/" -> "--" */
	size_t o = (size_t)snprintf(name, sizeof name, "models--");
	for (const char *p = spec; *p && o + 3 < sizeof name; p++) {
		if (*p == '/') {
			name[o++] = '-';
			name[o++] = '-';
		} else {
			name[o++] = *p;
		}
	}
	name[o] = 0;
	model = join(hub, name, NULL);
	ref = model ? join(model, "refs", "main") : NULL;
	if (ref && (f = fopen(ref, "r"))) {
		if (fgets(sha, sizeof sha, f)) {
			sha[strcspn(sha, " \t\r\n")] = 0;
			if (*sha && !strchr(sha, '/') && strcmp(sha, "..")) {
				char *d = join(model, "snapshots", sha);

				snap = d ? join(d, "tokenizer.json", NULL) : NULL;
				free(d);
			}
		}
		fclose(f);
	}
	if (snap && is_file(snap)) {
		*path = snap;
		*format = TK_FMT_HF;
		snap = NULL;
		st = KC_OK;
	} else {
		kc_error_set(err, KC_ENOTFOUND, "tokenizer '%s' not found: no %s/"
		             "snapshots/<refs/main>/tokenizer.json under %s", spec,
		             name, hub);
	}
	free(hub);
	free(model);
	free(ref);
	free(snap);
	return st;
}

kc_status kc_tok_find(const char *spec, char **path, int *format,
                      struct kc_error *err)
{
	if (!spec || !*spec) {
		spec = getenv("KC_TOKENIZER");
		if (!spec || !*spec)
			spec = "qwen";
	}
	*path = NULL;
	if (!strcmp(spec, "approx")) {
		*format = TK_FMT_APPROX;
		*path = strdup("approx");
		return *path ? KC_OK : kc_error_nomem(err);
	}
	for (size_t k = 0; k < sizeof short_names / sizeof *short_names; k++)
		if (!strcmp(spec, short_names[k].name))
			return find_short(spec, (int)k, path, format, err);
	if (is_file(spec) || is_dir(spec))
		return find_path(spec, path, format, err);
	if (is_repo_id(spec))
		return find_repo(spec, path, format, err);
	return kc_error_set(err, KC_ENOTFOUND, "tokenizer '%s' not found (a "
	                    "name: qwen, llama3, cl100k, o200k, approx; a file "
	                    "or directory; or a Hugging Face repo id in the "
	                    "local cache)", spec);
}
