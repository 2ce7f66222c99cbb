/*
 * The tests of test-json.c run against json.c built with its portable
 * byte scan (KC_JSON_PORTABLE) instead of SSE2, so that the code used on
 * other machines is held against jansson here too.  This object's
 * kc_json_* (and the private kc_json_error_*) replace libkc's.
 */
#define KC_JSON_PORTABLE 1
#include "../../lib/json/json.c"
#include "../../lib/json/dump.c"
#include "../../lib/json/error.c"
#include "test-json.c"
