/*
 * MIT Kerberos side of bench/krb5.ts: one measurement per run, printed as one JSON line
 * {"ops":N,"seconds":S,...}: the fastest of three slices after a warm-up. Built at bench time
 * by bench/native/build.sh against libkrb5-dev.
 *
 *   krb5_bench s2k    <enctype> <seconds> <password> <salt>   krb5_c_string_to_key
 *   krb5_bench crypt  <enctype> <bytes> <seconds>             krb5_c_encrypt + krb5_c_decrypt
 *   krb5_bench wrap   <bytes> <seconds>                       gss_wrap (conf) + gss_unwrap, krb5 mech
 *   krb5_bench hs     <krb5|spnego> <seconds>                 init + accept + init (mutual)
 *   krb5_bench accept <seconds>                               accept of one AP-REQ, again and again
 *   krb5_bench as     <seconds> <client> <password>           krb5_get_init_creds_password
 *   krb5_bench tgs    <seconds> <service principal>           krb5_get_credentials (never cached)
 *
 * wrap/hs/accept read the ccache (KRB5CCNAME: the TGT and a service ticket for HTTP/localhost)
 * and the keytab (KRB5_KTNAME) once into MEMORY:krb5bench ones and point KRB5CCNAME/KRB5_KTNAME
 * at those, so the loops touch neither the KDC nor the disk (except a file replay cache, when
 * KRB5RCACHETYPE is not "none"); credentials are acquired once, outside the loop, as ours are.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <krb5.h>
#include <gssapi/gssapi.h>
#include <gssapi/gssapi_krb5.h>

static gss_OID_desc krb5_oid = {9, "\x2a\x86\x48\x86\xf7\x12\x01\x02\x02"};
static gss_OID_desc spnego_oid = {6, "\x2b\x06\x01\x05\x05\x02"};

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die_krb(krb5_context ctx, krb5_error_code ret, const char *what) {
  const char *m = ctx ? krb5_get_error_message(ctx, ret) : "";
  fprintf(stderr, "krb5_bench: %s: %s (%d)\n", what, m, (int)ret);
  exit(1);
}

static void die_gss(OM_uint32 maj, OM_uint32 min, const char *what) {
  OM_uint32 lmin, ctx = 0;
  gss_buffer_desc b;
  fprintf(stderr, "krb5_bench: %s:", what);
  do {
    gss_display_status(&lmin, maj, GSS_C_GSS_CODE, GSS_C_NO_OID, &ctx, &b);
    fprintf(stderr, " %.*s;", (int)b.length, (char *)b.value);
    gss_release_buffer(&lmin, &b);
  } while (ctx != 0);
  do {
    gss_display_status(&lmin, min, GSS_C_MECH_CODE, GSS_C_NO_OID, &ctx, &b);
    fprintf(stderr, " %.*s;", (int)b.length, (char *)b.value);
    gss_release_buffer(&lmin, &b);
  } while (ctx != 0);
  fprintf(stderr, "\n");
  exit(1);
}

#define CK(ctx, x, what) do { krb5_error_code r_ = (x); if (r_) die_krb(ctx, r_, what); } while (0)

/*
 * Runs `body` (0 on success) for a warm-up of a quarter of `seconds`, then for `seconds` in three
 * slices; prints the fastest slice's ops and time (as bench/krb5.ts does for ours).
 */
typedef int (*op_fn)(void *);
static void run(op_fn body, void *arg, double seconds, const char *extra) {
  double t0 = now(), t;
  while (now() - t0 < seconds / 4) body(arg);
  long best_n = 0;
  double best_t = 1;
  for (int slice = 0; slice < 3; slice++) {
    long n = 0;
    t0 = now();
    do {
      if (body(arg) != 0) { fprintf(stderr, "krb5_bench: operation failed\n"); exit(1); }
      n++;
      t = now();
    } while (t - t0 < seconds / 3);
    if (n / (t - t0) > best_n / best_t) { best_n = n; best_t = t - t0; }
  }
  printf("{\"ops\":%ld,\"seconds\":%.6f%s%s}\n", best_n, best_t, extra ? "," : "", extra ? extra : "");
}

/* ---- string-to-key ---- */
struct s2k { krb5_context ctx; krb5_enctype et; krb5_data pw, salt; };
static int s2k_op(void *a) {
  struct s2k *s = a;
  krb5_keyblock kb;
  CK(s->ctx, krb5_c_string_to_key(s->ctx, s->et, &s->pw, &s->salt, &kb), "krb5_c_string_to_key");
  krb5_free_keyblock_contents(s->ctx, &kb);
  return 0;
}

/* ---- encrypt + decrypt ---- */
struct crypt { krb5_context ctx; krb5_keyblock key; krb5_data in, out; krb5_enc_data enc; };
static int crypt_op(void *a) {
  struct crypt *c = a;
  CK(c->ctx, krb5_c_encrypt(c->ctx, &c->key, 24, NULL, &c->in, &c->enc), "krb5_c_encrypt");
  c->out.length = c->in.length + 64;
  CK(c->ctx, krb5_c_decrypt(c->ctx, &c->key, 24, NULL, &c->enc, &c->out), "krb5_c_decrypt");
  return c->out.length == c->in.length ? 0 : 1;
}

/* ---- credentials in memory ---- */
static void load_memory_creds(krb5_context ctx) {
  krb5_ccache fcc, mcc;
  krb5_principal me;
  krb5_keytab fkt, mkt;
  krb5_kt_cursor cur;
  krb5_keytab_entry e;
  CK(ctx, krb5_cc_default(ctx, &fcc), "krb5_cc_default");
  CK(ctx, krb5_cc_get_principal(ctx, fcc, &me), "krb5_cc_get_principal");
  CK(ctx, krb5_cc_resolve(ctx, "MEMORY:krb5bench", &mcc), "krb5_cc_resolve MEMORY");
  CK(ctx, krb5_cc_initialize(ctx, mcc, me), "krb5_cc_initialize");
  CK(ctx, krb5_cc_copy_creds(ctx, fcc, mcc), "krb5_cc_copy_creds");
  krb5_cc_close(ctx, fcc);
  krb5_free_principal(ctx, me);
  /* mcc stays open: a MEMORY cache lives while a handle on it does. */
  CK(ctx, krb5_kt_default(ctx, &fkt), "krb5_kt_default");
  CK(ctx, krb5_kt_resolve(ctx, "MEMORY:krb5bench", &mkt), "krb5_kt_resolve MEMORY");
  CK(ctx, krb5_kt_start_seq_get(ctx, fkt, &cur), "krb5_kt_start_seq_get");
  while (krb5_kt_next_entry(ctx, fkt, &e, &cur) == 0) {
    CK(ctx, krb5_kt_add_entry(ctx, mkt, &e), "krb5_kt_add_entry");
    krb5_free_keytab_entry_contents(ctx, &e);
  }
  krb5_kt_end_seq_get(ctx, fkt, &cur);
  krb5_kt_close(ctx, fkt);
  setenv("KRB5CCNAME", "MEMORY:krb5bench", 1);
  setenv("KRB5_KTNAME", "MEMORY:krb5bench", 1);
}

struct gss { gss_OID mech; gss_cred_id_t icred, acred; gss_name_t target; gss_buffer_desc aptoken; };

static void gss_setup(struct gss *g, gss_OID mech) {
  OM_uint32 maj, min;
  gss_OID_set_desc set = {1, mech};
  gss_buffer_desc name = {strlen("HTTP@localhost"), "HTTP@localhost"};
  g->mech = mech;
  maj = gss_import_name(&min, &name, GSS_C_NT_HOSTBASED_SERVICE, &g->target);
  if (GSS_ERROR(maj)) die_gss(maj, min, "gss_import_name");
  maj = gss_acquire_cred(&min, GSS_C_NO_NAME, GSS_C_INDEFINITE, &set, GSS_C_INITIATE, &g->icred, NULL, NULL);
  if (GSS_ERROR(maj)) die_gss(maj, min, "gss_acquire_cred initiate");
  maj = gss_acquire_cred(&min, GSS_C_NO_NAME, GSS_C_INDEFINITE, &set, GSS_C_ACCEPT, &g->acred, NULL, NULL);
  if (GSS_ERROR(maj)) die_gss(maj, min, "gss_acquire_cred accept");
}

#define FLAGS (GSS_C_MUTUAL_FLAG | GSS_C_REPLAY_FLAG | GSS_C_SEQUENCE_FLAG | GSS_C_CONF_FLAG | GSS_C_INTEG_FLAG)

/* One full handshake; the contexts are returned (or deleted when ic/ac are NULL). */
static int handshake(struct gss *g, gss_ctx_id_t *ic_out, gss_ctx_id_t *ac_out) {
  OM_uint32 maj_i = GSS_S_CONTINUE_NEEDED, maj_a = GSS_S_CONTINUE_NEEDED, min;
  gss_ctx_id_t ic = GSS_C_NO_CONTEXT, ac = GSS_C_NO_CONTEXT;
  gss_buffer_desc in = GSS_C_EMPTY_BUFFER, out = GSS_C_EMPTY_BUFFER;
  int legs = 0;
  maj_i = gss_init_sec_context(&min, g->icred, &ic, g->target, g->mech, FLAGS, 0, GSS_C_NO_CHANNEL_BINDINGS, GSS_C_NO_BUFFER, NULL, &out, NULL, NULL);
  if (GSS_ERROR(maj_i)) die_gss(maj_i, min, "gss_init_sec_context");
  while (out.length > 0 && legs < 6) {
    in = out;
    out.length = 0; out.value = NULL;
    legs++;
    if (legs % 2 == 1) {
      maj_a = gss_accept_sec_context(&min, &ac, g->acred, &in, GSS_C_NO_CHANNEL_BINDINGS, NULL, NULL, &out, NULL, NULL, NULL);
      if (GSS_ERROR(maj_a)) die_gss(maj_a, min, "gss_accept_sec_context");
    } else {
      maj_i = gss_init_sec_context(&min, g->icred, &ic, g->target, g->mech, FLAGS, 0, GSS_C_NO_CHANNEL_BINDINGS, &in, NULL, &out, NULL, NULL);
      if (GSS_ERROR(maj_i)) die_gss(maj_i, min, "gss_init_sec_context (continue)");
    }
    gss_release_buffer(&min, &in);
  }
  gss_release_buffer(&min, &out);
  if (maj_i != GSS_S_COMPLETE || maj_a != GSS_S_COMPLETE) return 1;
  if (ic_out) *ic_out = ic; else gss_delete_sec_context(&min, &ic, GSS_C_NO_BUFFER);
  if (ac_out) *ac_out = ac; else gss_delete_sec_context(&min, &ac, GSS_C_NO_BUFFER);
  return 0;
}
static int hs_op(void *a) { return handshake(a, NULL, NULL); }

static int accept_op(void *a) {
  struct gss *g = a;
  OM_uint32 maj, min;
  gss_ctx_id_t ac = GSS_C_NO_CONTEXT;
  gss_buffer_desc out = GSS_C_EMPTY_BUFFER;
  maj = gss_accept_sec_context(&min, &ac, g->acred, &g->aptoken, GSS_C_NO_CHANNEL_BINDINGS, NULL, NULL, &out, NULL, NULL, NULL);
  if (maj != GSS_S_COMPLETE) die_gss(maj, min, "gss_accept_sec_context (accept-only)");
  gss_release_buffer(&min, &out);
  gss_delete_sec_context(&min, &ac, GSS_C_NO_BUFFER);
  return 0;
}

struct wrap { gss_ctx_id_t ic, ac; gss_buffer_desc msg; };
static int wrap_op(void *a) {
  struct wrap *w = a;
  OM_uint32 maj, min;
  int conf = 0;
  gss_buffer_desc tok, out;
  maj = gss_wrap(&min, w->ic, 1, GSS_C_QOP_DEFAULT, &w->msg, &conf, &tok);
  if (maj != GSS_S_COMPLETE || !conf) die_gss(maj, min, "gss_wrap");
  maj = gss_unwrap(&min, w->ac, &tok, &out, &conf, NULL);
  if (maj != GSS_S_COMPLETE || !conf) die_gss(maj, min, "gss_unwrap");
  int bad = out.length != w->msg.length;
  gss_release_buffer(&min, &tok);
  gss_release_buffer(&min, &out);
  return bad;
}

/* ---- KDC exchanges ---- */
struct as { krb5_context ctx; krb5_principal client; const char *password; krb5_get_init_creds_opt *opt; };
static int as_op(void *a) {
  struct as *s = a;
  krb5_creds c;
  CK(s->ctx, krb5_get_init_creds_password(s->ctx, &c, s->client, s->password, NULL, NULL, 0, NULL, s->opt), "krb5_get_init_creds_password");
  krb5_free_cred_contents(s->ctx, &c);
  return 0;
}

struct tgs { krb5_context ctx; krb5_ccache cc; krb5_creds in; };
static int tgs_op(void *a) {
  struct tgs *s = a;
  krb5_creds *out = NULL;
  CK(s->ctx, krb5_get_credentials(s->ctx, KRB5_GC_NO_STORE, s->cc, &s->in, &out), "krb5_get_credentials");
  krb5_free_creds(s->ctx, out);
  return 0;
}

static void usage(void) {
  fprintf(stderr, "usage: krb5_bench s2k|crypt|wrap|hs|accept|as|tgs ... (see the source)\n");
  exit(2);
}

int main(int argc, char **argv) {
  krb5_context ctx;
  if (argc < 3) usage();
  CK(NULL, krb5_init_context(&ctx), "krb5_init_context");
  const char *mode = argv[1];

  if (strcmp(mode, "s2k") == 0 && argc == 6) {
    struct s2k s = {ctx, atoi(argv[2]), {0}, {0}};
    s.pw.data = argv[4]; s.pw.length = strlen(argv[4]);
    s.salt.data = argv[5]; s.salt.length = strlen(argv[5]);
    run(s2k_op, &s, atof(argv[3]), NULL);
  } else if (strcmp(mode, "crypt") == 0 && argc == 5) {
    struct crypt c;
    memset(&c, 0, sizeof c);
    c.ctx = ctx;
    size_t n = strtoul(argv[3], NULL, 10), clen;
    CK(ctx, krb5_c_make_random_key(ctx, atoi(argv[2]), &c.key), "krb5_c_make_random_key");
    CK(ctx, krb5_c_encrypt_length(ctx, c.key.enctype, n, &clen), "krb5_c_encrypt_length");
    c.in.data = malloc(n); c.in.length = n;
    for (size_t i = 0; i < n; i++) c.in.data[i] = (char)(i * 131 + 7);
    c.out.data = malloc(n + 64);
    c.enc.enctype = c.key.enctype;
    c.enc.ciphertext.data = malloc(clen); c.enc.ciphertext.length = clen;
    run(crypt_op, &c, atof(argv[4]), NULL);
    if (memcmp(c.in.data, c.out.data, n) != 0) { fprintf(stderr, "krb5_bench: decrypt mismatch\n"); return 1; }
  } else if (strcmp(mode, "wrap") == 0 && argc == 4) {
    struct gss g;
    struct wrap w;
    load_memory_creds(ctx);
    gss_setup(&g, &krb5_oid);
    if (handshake(&g, &w.ic, &w.ac) != 0) { fprintf(stderr, "krb5_bench: handshake incomplete\n"); return 1; }
    size_t n = strtoul(argv[2], NULL, 10);
    w.msg.length = n; w.msg.value = malloc(n);
    for (size_t i = 0; i < n; i++) ((char *)w.msg.value)[i] = (char)(i * 131 + 7);
    run(wrap_op, &w, atof(argv[3]), NULL);
  } else if (strcmp(mode, "hs") == 0 && argc == 4) {
    struct gss g;
    load_memory_creds(ctx);
    gss_setup(&g, strcmp(argv[2], "spnego") == 0 ? &spnego_oid : &krb5_oid);
    run(hs_op, &g, atof(argv[3]), NULL);
  } else if (strcmp(mode, "accept") == 0 && argc == 3) {
    struct gss g;
    OM_uint32 maj, min;
    gss_ctx_id_t ic = GSS_C_NO_CONTEXT;
    load_memory_creds(ctx);
    gss_setup(&g, &krb5_oid);
    maj = gss_init_sec_context(&min, g.icred, &ic, g.target, g.mech, FLAGS, 0, GSS_C_NO_CHANNEL_BINDINGS, GSS_C_NO_BUFFER, NULL, &g.aptoken, NULL, NULL);
    if (GSS_ERROR(maj)) die_gss(maj, min, "gss_init_sec_context");
    char extra[64];
    snprintf(extra, sizeof extra, "\"apReqBytes\":%zu", g.aptoken.length);
    run(accept_op, &g, atof(argv[2]), extra);
  } else if (strcmp(mode, "as") == 0 && argc == 5) {
    struct as s = {ctx, NULL, argv[4], NULL};
    CK(ctx, krb5_parse_name(ctx, argv[3], &s.client), "krb5_parse_name");
    CK(ctx, krb5_get_init_creds_opt_alloc(ctx, &s.opt), "krb5_get_init_creds_opt_alloc");
    run(as_op, &s, atof(argv[2]), NULL);
  } else if (strcmp(mode, "tgs") == 0 && argc == 4) {
    struct tgs s;
    krb5_ccache fcc;
    krb5_principal me, tgs;
    krb5_creds match, tgt;
    memset(&s, 0, sizeof s);
    s.ctx = ctx;
    CK(ctx, krb5_cc_default(ctx, &fcc), "krb5_cc_default");
    CK(ctx, krb5_cc_get_principal(ctx, fcc, &me), "krb5_cc_get_principal");
    char realm[256];
    snprintf(realm, sizeof realm, "%.*s", (int)me->realm.length, me->realm.data);
    CK(ctx, krb5_build_principal(ctx, &tgs, strlen(realm), realm, "krbtgt", realm, NULL), "krb5_build_principal");
    memset(&match, 0, sizeof match);
    match.client = me; match.server = tgs;
    CK(ctx, krb5_cc_retrieve_cred(ctx, fcc, 0, &match, &tgt), "krb5_cc_retrieve_cred (TGT)");
    CK(ctx, krb5_cc_new_unique(ctx, "MEMORY", NULL, &s.cc), "krb5_cc_new_unique");
    CK(ctx, krb5_cc_initialize(ctx, s.cc, me), "krb5_cc_initialize");
    CK(ctx, krb5_cc_store_cred(ctx, s.cc, &tgt), "krb5_cc_store_cred");
    s.in.client = me;
    CK(ctx, krb5_parse_name(ctx, argv[3], &s.in.server), "krb5_parse_name");
    run(tgs_op, &s, atof(argv[2]), NULL);
  } else {
    usage();
  }
  return 0;
}
