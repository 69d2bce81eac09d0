/* SPDX-License-Identifier: MIT */
/* tests/workloads/test-hostlist.c - Slurm hostlist expansion and compression.
 *
 * The expected strings are what Slurm's hostlist.c gives (hostlist_create then shift for
 * expansion, hostlist_ranged_string for `scontrol show hostlist`): widths taken from the
 * start of a range, Slurm's order for several brackets, suffixes after the last bracket,
 * insertion order and tail-only merging when compressing, and its zero-padding rule.
 * Every error is checked with its code and message.  A random test checks that expanding
 * a compressed list gives the list back, name for name. */
#include "workloads/hostlist.h"

#include <string.h>

/* Asserts that `expr` expands to the comma-separated `want` ("" for none). */
static void
check_expand (const char *expr, const char *want)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) hosts = wl_hostlist_expand (expr, &error);
  g_assert_no_error (error);
  g_assert_nonnull (hosts);
  g_ptr_array_add (hosts, NULL);
  g_autofree char *got = g_strjoinv (",", (char **) hosts->pdata);
  if (strcmp (got, want) != 0)
    g_test_message ("expand \"%s\": got \"%s\", want \"%s\"", expr, got, want);
  g_assert_cmpstr (got, ==, want);
  guint64 count = 0;
  g_assert_true (wl_hostlist_count (expr, &count, &error));
  g_assert_cmpuint (count, ==, hosts->len - 1);
}

/* Asserts that the comma-separated `names` compress to `want`. */
static void
check_compress (const char *names, const char *want)
{
  g_auto (GStrv) v = *names ? g_strsplit (names, ",", -1) : g_new0 (char *, 1);
  g_autofree char *got = wl_hostlist_compress ((const char *const *) v, -1);
  g_assert_cmpstr (got, ==, want);
  g_autofree char *got_n = wl_hostlist_compress ((const char *const *) v,
                                                 (gssize) g_strv_length (v));
  g_assert_cmpstr (got_n, ==, want);
}

static void
check_error (const char *expr, gint code, const char *substring)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) hosts = wl_hostlist_expand (expr, &error);
  g_assert_null (hosts);
  g_assert_error (error, WL_ERROR, code);
  if (strstr (error->message, substring) == NULL)
    g_test_message ("\"%s\": message \"%s\" lacks \"%s\"", expr, error->message, substring);
  g_assert_nonnull (strstr (error->message, substring));
}

static void
test_expand_ranges (void)
{
  check_expand ("n[1-3,5]", "n1,n2,n3,n5");
  check_expand ("n5", "n5");
  check_expand ("login", "login");
  check_expand ("n[0-0]", "n0");
  check_expand ("n[3,1,2]", "n3,n1,n2");
  check_expand ("[1-3]", "1,2,3");
  check_expand ("n[7]", "n7");
}

static void
test_expand_padding (void)
{
  check_expand ("n[001-003]", "n001,n002,n003");
  check_expand ("n[8-11]", "n8,n9,n10,n11");
  check_expand ("n[08-11]", "n08,n09,n10,n11");
  /* the width is the start's as written: "1-010" counts 1..10 unpadded */
  check_expand ("n[1-010]", "n1,n2,n3,n4,n5,n6,n7,n8,n9,n10");
  check_expand ("n[098-101]", "n098,n099,n100,n101");
  GString *want = g_string_new (NULL);
  for (int i = 1; i <= 128; i++)
    g_string_append_printf (want, "n%03d,", i);
  g_string_append (want, "n200");
  check_expand ("n[001-128,200]", want->str);
  g_string_free (want, TRUE);
}

static void
test_expand_lists (void)
{
  check_expand ("a1,b[1-3]", "a1,b1,b2,b3");
  check_expand ("a1 b2\tc3\nd4", "a1,b2,c3,d4");
  check_expand (",,a1,,b[2-3],", "a1,b2,b3");
  check_expand ("n[1-2],n1", "n1,n2,n1");      /* duplicates are kept */
  check_expand ("", "");
  check_expand (" , ", "");
  check_expand ("n[1-2,4],gpu[01-02]", "n1,n2,n4,gpu01,gpu02");
}

static void
test_expand_brackets (void)
{
  g_test_summary ("Several brackets: the last varies fastest, then the first, ..., the one "
                  "before the last slowest (Slurm's _push_range_list recursion).");
  check_expand ("a[1-2]b[3-4]", "a1b3,a1b4,a2b3,a2b4");
  check_expand ("rack[1-2]-n[01-02]", "rack1-n01,rack1-n02,rack2-n01,rack2-n02");
  check_expand ("a[1-2]b[3-4]c[5-6]",
                "a1b3c5,a1b3c6,a2b3c5,a2b3c6,a1b4c5,a1b4c6,a2b4c5,a2b4c6");
  check_expand ("r[1,3]n[1-2]", "r1n1,r1n2,r3n1,r3n2");
  check_expand ("r[01-02]x[7]", "r01x7,r02x7");
  /* text after the last bracket is a suffix */
  check_expand ("n[1-2]-ib", "n1-ib,n2-ib");
  check_expand ("r[1-2]n[1-2].ib", "r1n1.ib,r1n2.ib,r2n1.ib,r2n2.ib");
}

static void
test_errors (void)
{
  check_error ("n[5-3]", WL_ERROR_MALFORMED, "bad range \"n[5-3]\": start 5 is after end 3");
  check_error ("n[1-3", WL_ERROR_MALFORMED, "unbalanced bracket in \"n[1-3\"");
  check_error ("a1,n[1-3", WL_ERROR_MALFORMED, "unbalanced bracket in \"n[1-3\"");
  check_error ("n1-3]", WL_ERROR_MALFORMED, "unbalanced bracket in \"n1-3]\"");
  check_error ("n[1-[2]]", WL_ERROR_MALFORMED, "nested bracket in \"n[1-[2]]\"");
  check_error ("n[]", WL_ERROR_MALFORMED, "bad range \"n[]\": empty brackets");
  check_error ("n[1,,3]", WL_ERROR_MALFORMED, "bad range \"n[1,,3]\": empty element");
  check_error ("n[1,]", WL_ERROR_MALFORMED, "empty element");
  check_error ("n[a-3]", WL_ERROR_MALFORMED, "bad range \"n[a-3]\": \"a-3\" is not a number");
  check_error ("n[3-]", WL_ERROR_MALFORMED, "\"3-\" is not a number");
  check_error ("n[-3]", WL_ERROR_MALFORMED, "\"-3\" is not a number");
  check_error ("n[1-2-3]", WL_ERROR_MALFORMED, "\"1-2-3\" is not a number");
  check_error ("n[ 1]", WL_ERROR_MALFORMED, "\" 1\" is not a number");
  check_error ("n[1234567890123456789]", WL_ERROR_MALFORMED, "at most 18 digits");
  check_error ("a[1-2]b[2-1]", WL_ERROR_MALFORMED, "start 2 is after end 1");
  /* a long expression is shortened in the message */
  g_autofree char *xs = g_strnfill (100, 'x');
  g_autofree char *longx = g_strconcat (xs, "[9-1]", NULL);
  check_error (longx, WL_ERROR_MALFORMED, "...\": start 9 is after end 1");
}

static void
test_limit (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) ok = wl_hostlist_expand_max ("n[1-10]", 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ok->len, ==, 10);
  g_autoptr (GPtrArray) over = wl_hostlist_expand_max ("n[1-10],m1", 10, &error);
  g_assert_null (over);
  g_assert_error (error, WL_ERROR, WL_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "has more than 10 hosts"));
  g_clear_error (&error);
  /* The bound is checked before anything is expanded: these must fail at once. */
  check_error ("n[1-1000001]", WL_ERROR_UNSUPPORTED, "more than 1000000 hosts");
  check_error ("a[1-1000]b[1-1001]", WL_ERROR_UNSUPPORTED, "more than 1000000 hosts");
  check_error ("a[0-999999999].b[0-9]", WL_ERROR_UNSUPPORTED, "more than 1000000 hosts");
  check_error ("n[0-999999999999999999]", WL_ERROR_UNSUPPORTED, "more than 1000000 hosts");
  check_error ("a[0-999999999999999999]b[0-999999999999999999]c[0-99999999999999999]",
               WL_ERROR_UNSUPPORTED, "more than");
  guint64 count = 0;
  g_assert_true (wl_hostlist_count ("a[0-999999999999999999]b[0-999999999999999999]", &count,
                                    &error));
  g_assert_cmpuint (count, ==, G_MAXUINT64);      /* saturated */
  g_assert_true (wl_hostlist_count ("n[1-1000],m[1-5]x[1-2]", &count, &error));
  g_assert_cmpuint (count, ==, 1010);
  g_assert_false (wl_hostlist_count ("n[2-1]", &count, &error));
  g_assert_error (error, WL_ERROR, WL_ERROR_MALFORMED);
}

static void
test_compress (void)
{
  g_test_summary ("What `scontrol show hostlist` prints: insertion order, a host joins the "
                  "previous range only, same-prefix neighbours share a bracket.");
  check_compress ("n1,n2,n3,n5", "n[1-3,5]");
  check_compress ("n01,n02,n03", "n[01-03]");
  check_compress ("n5", "n5");
  check_compress ("login", "login");
  check_compress ("login,n1,n2", "login,n[1-2]");
  check_compress ("n1,m1,n2", "n1,m1,n2");
  check_compress ("n3,n1,n2", "n[3,1-2]");
  check_compress ("n1,n1", "n[1,1]");
  check_compress ("5", "5");
  check_compress ("1,2,3", "[1-3]");
  check_compress ("n1-ib,n2-ib", "n1-ib,n2-ib");
  check_compress ("rack1-n01,rack1-n02,rack2-n01,rack2-n02", "rack1-n[01-02],rack2-n[01-02]");
  check_compress ("", "");
  /* zero padding (Slurm's _width_equiv) */
  check_compress ("n9,n10", "n[9-10]");
  check_compress ("n09,n10", "n[09-10]");
  check_compress ("n9,n010", "n[9,010]");
  check_compress ("n08,n9", "n[08,9]");
  check_compress ("n98,n99,n100", "n[98-100]");
  check_compress ("n098,n099,n100", "n[098-100]");
  check_compress ("n1,n01", "n[1,01]");
  /* a trailing number of more than 18 digits is not a number */
  check_compress ("n1234567890123456789,n1234567890123456790",
                  "n1234567890123456789,n1234567890123456790");
  g_autofree char *none = wl_hostlist_compress (NULL, 0);
  g_assert_cmpstr (none, ==, "");
}

static void
test_ranged (void)
{
  const char *cases[][2] = {
    { "n[1-3],n[4-6]", "n[1-6]" },
    { "n[001-128,200]", "n[001-128,200]" },
    { "n1,n2,n3", "n[1-3]" },
    { "a[1-2]b[3-4]", "a1b[3-4],a2b[3-4]" },
    { "n[1-3,2-4]", "n[1-3,2-4]" },
    { "gpu[1-4],n[1-2]", "gpu[1-4],n[1-2]" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *got = wl_hostlist_ranged (cases[i][0], &error);
      g_assert_no_error (error);
      g_assert_cmpstr (got, ==, cases[i][1]);
    }
  g_autoptr (GError) error = NULL;
  g_assert_null (wl_hostlist_ranged ("n[", &error));
  g_assert_error (error, WL_ERROR, WL_ERROR_MALFORMED);
}

static void
test_round_trip_random (void)
{
  g_test_summary ("expand (compress (names)) == names for random names: prefixes, padding, "
                  "duplicates, names without numbers.");
  static const char *const prefixes[] = { "n", "rack1-n", "gpu", "x.y", "" };
  for (int round = 0; round < 300; round++)
    {
      g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
      int n = g_test_rand_int_range (0, 40);
      for (int i = 0; i < n; i++)
        {
          const char *p = prefixes[g_test_rand_int_range (0, G_N_ELEMENTS (prefixes))];
          if (g_test_rand_int_range (0, 20) == 0)
            g_ptr_array_add (names, g_strdup (*p ? p : "login"));
          else
            {
              /* runs of consecutive numbers make ranges likely */
              int num = g_test_rand_int_range (0, 12) + (i % 3) * 95;
              int width = g_test_rand_int_range (1, 4);
              g_ptr_array_add (names, g_strdup_printf ("%s%0*d", p, width, num));
            }
        }
      g_autofree char *ranged = wl_hostlist_compress ((const char *const *) names->pdata,
                                                      (gssize) names->len);
      g_autoptr (GError) error = NULL;
      g_autoptr (GPtrArray) back = wl_hostlist_expand (ranged, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (back->len, ==, names->len);
      for (guint i = 0; i < names->len; i++)
        g_assert_cmpstr (g_ptr_array_index (back, i), ==, g_ptr_array_index (names, i));
    }
}

static void
test_garbage (void)
{
  g_test_summary ("Random expressions from a small alphabet never crash: each expands, or "
                  "fails with a message.");
  static const char alphabet[] = "n0123456789[]-,, x";
  for (int round = 0; round < 3000; round++)
    {
      char buf[24];
      int len = g_test_rand_int_range (0, (int) sizeof buf);
      for (int i = 0; i < len; i++)
        buf[i] = alphabet[g_test_rand_int_range (0, (int) sizeof alphabet - 1)];
      buf[len] = '\0';
      g_autoptr (GError) error = NULL;
      g_autoptr (GPtrArray) hosts = wl_hostlist_expand (buf, &error);
      g_assert_true ((hosts == NULL) != (error == NULL));
      if (error)
        g_assert_true (error->message[0] != '\0');
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/wl/hostlist/expand-ranges", test_expand_ranges);
  g_test_add_func ("/wl/hostlist/expand-padding", test_expand_padding);
  g_test_add_func ("/wl/hostlist/expand-lists", test_expand_lists);
  g_test_add_func ("/wl/hostlist/expand-brackets", test_expand_brackets);
  g_test_add_func ("/wl/hostlist/errors", test_errors);
  g_test_add_func ("/wl/hostlist/limit", test_limit);
  g_test_add_func ("/wl/hostlist/compress", test_compress);
  g_test_add_func ("/wl/hostlist/ranged", test_ranged);
  g_test_add_func ("/wl/hostlist/round-trip-random", test_round_trip_random);
  g_test_add_func ("/wl/hostlist/garbage", test_garbage);
  return g_test_run ();
}
