/*
 * Copyright 2026 The ohed authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include <oheplugin.h>

#include "ohe-fhir-der.h"
#include "ohe-fhir-key.h"

/*
 * The private key of SMART Backend Services (private_key_jwt). libgcrypt has
 * no PEM or PKCS#8 reader, so the three layouts OpenSSL writes are read here:
 * PKCS#1 `RSA PRIVATE KEY`, SEC1 `EC PRIVATE KEY` and PKCS#8 `PRIVATE KEY`
 * holding either. Decoded key bytes are wiped before they are freed, and no
 * message ever quotes them.
 */

#define OHE_FHIR_KEY_MAX_FILE_SIZE (64 * 1024)
#define OHE_FHIR_KEY_RSA_MIN_BITS  2048
#define OHE_FHIR_KEY_RSA_MAX_BITS  16384
#define OHE_FHIR_KEY_P384_BYTES	   48
#define OHE_FHIR_KEY_NOT_A_KEY	   "not a PEM RSA or EC P-384 private key"

struct _OheFhirKey {
	GObject parent_instance;
	OheFhirKeyType key_type;
	gcry_sexp_t sexp; /* owned, the private key */
	guint bits;
};

G_DEFINE_TYPE (OheFhirKey, ohe_fhir_key, G_TYPE_OBJECT)

/* DER of the OIDs rsaEncryption, id-ecPublicKey and secp384r1 */
static const guint8 ohe_fhir_key_oid_rsa[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01};
static const guint8 ohe_fhir_key_oid_ec[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01};
static const guint8 ohe_fhir_key_oid_p384[] = {0x2b, 0x81, 0x04, 0x00, 0x22};

typedef enum {
	OHE_FHIR_KEY_PEM_PKCS1,
	OHE_FHIR_KEY_PEM_SEC1,
	OHE_FHIR_KEY_PEM_PKCS8,
} OheFhirKeyPem;

static const struct {
	const gchar *label;
	OheFhirKeyPem pem;
} ohe_fhir_key_labels[] = {
    {"RSA PRIVATE KEY", OHE_FHIR_KEY_PEM_PKCS1},
    {"EC PRIVATE KEY", OHE_FHIR_KEY_PEM_SEC1},
    {"PRIVATE KEY", OHE_FHIR_KEY_PEM_PKCS8},
};

/* a buffer that held key material: wiped, then freed */
typedef struct {
	guint8 *data;
	gsize len;
	gsize alloc;
} OheFhirKeySecret;

static void
ohe_fhir_key_secret_clear (OheFhirKeySecret *secret)
{
	if (secret->data != NULL)
		explicit_bzero (secret->data, secret->alloc);
	g_clear_pointer (&secret->data, g_free);
	secret->len = 0;
	secret->alloc = 0;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (OheFhirKeySecret, ohe_fhir_key_secret_clear)

static gboolean
ohe_fhir_key_set_gcry_error (GError **error, gcry_error_t rc, const gchar *what)
{
	g_set_error (error, OHE_ERROR, OHE_ERROR_FAILED, "%s: %s", what, gcry_strerror (rc));
	return FALSE;
}

static gboolean
ohe_fhir_key_mpi_scan (gcry_mpi_t *mpi, const guint8 *data, gsize len, GError **error)
{
	gcry_error_t rc = gcry_mpi_scan (mpi, GCRYMPI_FMT_USG, data, len, NULL);
	if (rc != 0)
		return ohe_fhir_key_set_gcry_error (error, rc, "cannot read a key number");
	return TRUE;
}

static gboolean
ohe_fhir_key_line_has_prefix (const gchar *line, gsize len, const gchar *prefix, gsize *prefix_len)
{
	*prefix_len = strlen (prefix);
	return len >= *prefix_len && memcmp (line, prefix, *prefix_len) == 0;
}

/*
 * Finds the first private key block and decodes it. Blocks around it (an
 * `EC PARAMETERS` block from `openssl ecparam -genkey`, a certificate) are
 * skipped; an encrypted key is refused by name, as it needs a passphrase.
 */
static gboolean
ohe_fhir_key_pem_decode (
    const gchar *pem, gsize pem_len, OheFhirKeyPem *kind, OheFhirKeySecret *der, GError **error)
{
	const gchar *end = pem + pem_len;
	const gchar *label = NULL;
	gsize label_len = 0;
	gboolean inside = FALSE;
	gboolean wanted = FALSE;
	gboolean found = FALSE;
	gsize b64_len = 0;
	const gchar *p = pem;

	der->alloc = pem_len + 1;
	der->data = g_malloc0 (der->alloc);
	while (p < end) {
		const gchar *line = p;
		const gchar *nl = memchr (p, '\n', end - p);
		gsize len = (nl != NULL ? nl : end) - line;
		gsize prefix_len;

		p = nl != NULL ? nl + 1 : end;
		while (len > 0 && g_ascii_isspace (line[len - 1]))
			len--;
		if (!inside) {
			if (!ohe_fhir_key_line_has_prefix (line, len, "-----BEGIN ", &prefix_len) ||
			    len < prefix_len + 5 || memcmp (line + len - 5, "-----", 5) != 0)
				continue;
			label = line + prefix_len;
			label_len = len - prefix_len - 5;
			inside = TRUE;
			wanted = FALSE;
			for (guint i = 0; i < G_N_ELEMENTS (ohe_fhir_key_labels); i++) {
				if (strlen (ohe_fhir_key_labels[i].label) == label_len &&
				    memcmp (ohe_fhir_key_labels[i].label, label, label_len) == 0) {
					*kind = ohe_fhir_key_labels[i].pem;
					wanted = TRUE;
				}
			}
			if (label_len == strlen ("ENCRYPTED PRIVATE KEY") &&
			    memcmp (label, "ENCRYPTED PRIVATE KEY", label_len) == 0) {
				g_set_error_literal (error, OHE_ERROR, OHE_ERROR_NOT_SUPPORTED,
						     "encrypted private keys are not supported");
				return FALSE;
			}
			continue;
		}
		if (ohe_fhir_key_line_has_prefix (line, len, "-----END ", &prefix_len)) {
			if (len != prefix_len + label_len + 5 ||
			    memcmp (line + prefix_len, label, label_len) != 0) {
				g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
						     OHE_FHIR_KEY_NOT_A_KEY
						     ": END line does not match BEGIN");
				return FALSE;
			}
			if (wanted) {
				found = TRUE;
				break;
			}
			inside = FALSE;
			continue;
		}
		if (!wanted)
			continue;
		/* RFC 1421 headers such as Proc-Type: 4,ENCRYPTED */
		if (memchr (line, ':', len) != NULL) {
			g_set_error_literal (error, OHE_ERROR, OHE_ERROR_NOT_SUPPORTED,
					     "encrypted private keys are not supported");
			return FALSE;
		}
		for (gsize i = 0; i < len; i++) {
			gchar c = line[i];
			if (g_ascii_isspace (c))
				continue;
			if (!g_ascii_isalnum (c) && c != '+' && c != '/' && c != '=') {
				g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
						     OHE_FHIR_KEY_NOT_A_KEY ": invalid base64");
				return FALSE;
			}
			der->data[b64_len++] = (guint8)c;
		}
	}
	if (!found) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     OHE_FHIR_KEY_NOT_A_KEY);
		return FALSE;
	}
	if (b64_len == 0 || b64_len % 4 != 0) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     OHE_FHIR_KEY_NOT_A_KEY ": truncated base64");
		return FALSE;
	}
	der->data[b64_len] = '\0';
	g_base64_decode_inplace ((gchar *)der->data, &der->len);
	return TRUE;
}

/* the numbers of an RSA key as libgcrypt names them */
typedef struct {
	gcry_mpi_t n;
	gcry_mpi_t e;
	gcry_mpi_t d;
	gcry_mpi_t p;
	gcry_mpi_t q;
	gcry_mpi_t u;
} OheFhirKeyRsa;

static void
ohe_fhir_key_rsa_clear (OheFhirKeyRsa *rsa)
{
	g_clear_pointer (&rsa->n, gcry_mpi_release);
	g_clear_pointer (&rsa->e, gcry_mpi_release);
	g_clear_pointer (&rsa->d, gcry_mpi_release);
	g_clear_pointer (&rsa->p, gcry_mpi_release);
	g_clear_pointer (&rsa->q, gcry_mpi_release);
	g_clear_pointer (&rsa->u, gcry_mpi_release);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (OheFhirKeyRsa, ohe_fhir_key_rsa_clear)

static gboolean
ohe_fhir_key_load_rsa (OheFhirKey *self, OheFhirDer *outer, GError **error)
{
	g_auto (OheFhirKeyRsa) rsa = {NULL};
	/* PKCS#1 order; exponent1, exponent2 and coefficient are derived again below */
	gcry_mpi_t *numbers[] = {&rsa.n, &rsa.e, &rsa.d, &rsa.p, &rsa.q};
	OheFhirDer seq;
	guint version = 0;
	gcry_error_t rc;

	if (!ohe_fhir_der_read (outer, OHE_FHIR_DER_TAG_SEQUENCE, &seq, error))
		return FALSE;
	if (!ohe_fhir_der_read_small_uint (&seq, &version, error))
		return FALSE;
	/* version 1 is multi-prime RSA, which libgcrypt cannot use */
	if (version != 0) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_NOT_SUPPORTED,
			     "RSA private key version %u is not supported", version);
		return FALSE;
	}
	for (guint i = 0; i < G_N_ELEMENTS (numbers); i++) {
		const guint8 *data;
		gsize len;
		if (!ohe_fhir_der_read_uint (&seq, &data, &len, error))
			return FALSE;
		if (!ohe_fhir_key_mpi_scan (numbers[i], data, len, error))
			return FALSE;
	}
	/* libgcrypt wants p < q and u = p^-1 mod q; PKCS#1 orders them freely */
	if (gcry_mpi_cmp (rsa.p, rsa.q) > 0)
		gcry_mpi_swap (rsa.p, rsa.q);
	rsa.u = gcry_mpi_snew (0);
	if (!gcry_mpi_invm (rsa.u, rsa.p, rsa.q)) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "RSA primes are not coprime");
		return FALSE;
	}
	rc = gcry_sexp_build (&self->sexp, NULL,
			      "(private-key (rsa (n %m) (e %m) (d %m) (p %m) (q %m) (u %m)))",
			      rsa.n, rsa.e, rsa.d, rsa.p, rsa.q, rsa.u);
	if (rc != 0)
		return ohe_fhir_key_set_gcry_error (error, rc, "cannot build the RSA key");
	self->key_type = OHE_FHIR_KEY_TYPE_RSA;
	self->bits = gcry_pk_get_nbits (self->sexp);
	if (self->bits < OHE_FHIR_KEY_RSA_MIN_BITS || self->bits > OHE_FHIR_KEY_RSA_MAX_BITS) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_NOT_SUPPORTED,
			     "RSA key has %u bits, RS384 needs %u to %u", self->bits,
			     (guint)OHE_FHIR_KEY_RSA_MIN_BITS, (guint)OHE_FHIR_KEY_RSA_MAX_BITS);
		return FALSE;
	}
	return TRUE;
}

static gboolean
ohe_fhir_key_check_p384 (const OheFhirDer *oid, GError **error)
{
	if (!ohe_fhir_der_equal (oid, ohe_fhir_key_oid_p384, sizeof (ohe_fhir_key_oid_p384))) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_NOT_SUPPORTED,
				     "EC key is not on curve P-384, which ES384 needs");
		return FALSE;
	}
	return TRUE;
}

/* `openssl ec -no_public` omits the public point; libgcrypt needs it to test the key */
static gboolean
ohe_fhir_key_build_ec_without_q (OheFhirKey *self, const OheFhirDer *d, GError **error)
{
	g_auto (gcry_sexp_t) partial = NULL;
	g_auto (gcry_mpi_t) q = NULL;
	gcry_ctx_t ctx = NULL;
	gcry_error_t rc;

	rc = gcry_sexp_build (&partial, NULL, "(private-key (ecc (curve \"NIST P-384\") (d %b)))",
			      (int)d->len, d->data);
	if (rc != 0)
		return ohe_fhir_key_set_gcry_error (error, rc, "cannot build the EC key");
	rc = gcry_mpi_ec_new (&ctx, partial, NULL);
	if (rc != 0)
		return ohe_fhir_key_set_gcry_error (error, rc, "cannot derive the EC public key");
	q = gcry_mpi_ec_get_mpi ("q", ctx, 1);
	gcry_ctx_release (ctx);
	if (q == NULL) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "cannot derive the EC public key");
		return FALSE;
	}
	rc = gcry_sexp_build (&self->sexp, NULL,
			      "(private-key (ecc (curve \"NIST P-384\") (q %m) (d %b)))", q,
			      (int)d->len, d->data);
	if (rc != 0)
		return ohe_fhir_key_set_gcry_error (error, rc, "cannot build the EC key");
	return TRUE;
}

/* @curve_known: PKCS#8 named the curve already, so [0] may be absent */
static gboolean
ohe_fhir_key_load_ec (OheFhirKey *self, OheFhirDer *outer, gboolean curve_known, GError **error)
{
	OheFhirDer seq;
	OheFhirDer d;
	OheFhirDer q = {NULL, 0};
	guint version = 0;
	gcry_error_t rc;

	if (!ohe_fhir_der_read (outer, OHE_FHIR_DER_TAG_SEQUENCE, &seq, error))
		return FALSE;
	if (!ohe_fhir_der_read_small_uint (&seq, &version, error))
		return FALSE;
	if (version != 1) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_NOT_SUPPORTED,
			     "EC private key version %u is not supported", version);
		return FALSE;
	}
	if (!ohe_fhir_der_read (&seq, OHE_FHIR_DER_TAG_OCTET_STRING, &d, error))
		return FALSE;
	if (d.len == 0 || d.len > OHE_FHIR_KEY_P384_BYTES) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "EC private scalar does not fit P-384");
		return FALSE;
	}
	if (ohe_fhir_der_peek_tag (&seq) == OHE_FHIR_DER_TAG_CONTEXT_0) {
		OheFhirDer params;
		OheFhirDer oid;
		if (!ohe_fhir_der_read (&seq, OHE_FHIR_DER_TAG_CONTEXT_0, &params, error))
			return FALSE;
		if (!ohe_fhir_der_read (&params, OHE_FHIR_DER_TAG_OID, &oid, error)) {
			g_prefix_error (error, "EC parameters must name a curve: ");
			return FALSE;
		}
		if (!ohe_fhir_key_check_p384 (&oid, error))
			return FALSE;
		curve_known = TRUE;
	}
	if (!curve_known) {
		g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
				     "EC private key does not name its curve");
		return FALSE;
	}
	if (ohe_fhir_der_peek_tag (&seq) == OHE_FHIR_DER_TAG_CONTEXT_1) {
		OheFhirDer wrapper;
		if (!ohe_fhir_der_read (&seq, OHE_FHIR_DER_TAG_CONTEXT_1, &wrapper, error))
			return FALSE;
		if (!ohe_fhir_der_read (&wrapper, OHE_FHIR_DER_TAG_BIT_STRING, &q, error))
			return FALSE;
		/* no unused bits, then an uncompressed point 04 || x || y */
		if (q.len != 2 + 2 * OHE_FHIR_KEY_P384_BYTES || q.data[0] != 0 ||
		    q.data[1] != 0x04) {
			g_set_error_literal (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
					     "EC public key is not an uncompressed P-384 point");
			return FALSE;
		}
		q.data++;
		q.len--;
	}
	if (q.data != NULL) {
		rc = gcry_sexp_build (&self->sexp, NULL,
				      "(private-key (ecc (curve \"NIST P-384\") (q %b) (d %b)))",
				      (int)q.len, q.data, (int)d.len, d.data);
		if (rc != 0)
			return ohe_fhir_key_set_gcry_error (error, rc, "cannot build the EC key");
	} else if (!ohe_fhir_key_build_ec_without_q (self, &d, error)) {
		return FALSE;
	}
	self->key_type = OHE_FHIR_KEY_TYPE_EC_P384;
	self->bits = 384;
	return TRUE;
}

static gboolean
ohe_fhir_key_load_pkcs8 (OheFhirKey *self, OheFhirDer *outer, GError **error)
{
	OheFhirDer seq;
	OheFhirDer alg;
	OheFhirDer oid;
	OheFhirDer inner;
	guint version = 0;

	if (!ohe_fhir_der_read (outer, OHE_FHIR_DER_TAG_SEQUENCE, &seq, error))
		return FALSE;
	/* 1 is OneAsymmetricKey (RFC 5958), the same up to the key */
	if (!ohe_fhir_der_read_small_uint (&seq, &version, error))
		return FALSE;
	if (version > 1) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_NOT_SUPPORTED,
			     "PKCS#8 version %u is not supported", version);
		return FALSE;
	}
	if (!ohe_fhir_der_read (&seq, OHE_FHIR_DER_TAG_SEQUENCE, &alg, error))
		return FALSE;
	if (!ohe_fhir_der_read (&alg, OHE_FHIR_DER_TAG_OID, &oid, error))
		return FALSE;
	if (!ohe_fhir_der_read (&seq, OHE_FHIR_DER_TAG_OCTET_STRING, &inner, error))
		return FALSE;
	if (ohe_fhir_der_equal (&oid, ohe_fhir_key_oid_rsa, sizeof (ohe_fhir_key_oid_rsa)))
		return ohe_fhir_key_load_rsa (self, &inner, error);
	if (ohe_fhir_der_equal (&oid, ohe_fhir_key_oid_ec, sizeof (ohe_fhir_key_oid_ec))) {
		OheFhirDer curve;
		if (!ohe_fhir_der_read (&alg, OHE_FHIR_DER_TAG_OID, &curve, error)) {
			g_prefix_error (error, "EC parameters must name a curve: ");
			return FALSE;
		}
		if (!ohe_fhir_key_check_p384 (&curve, error))
			return FALSE;
		return ohe_fhir_key_load_ec (self, &inner, TRUE, error);
	}
	g_set_error_literal (error, OHE_ERROR, OHE_ERROR_NOT_SUPPORTED,
			     "PKCS#8 key is neither RSA nor EC");
	return FALSE;
}

/**
 * ohe_fhir_key_new_from_pem:
 * @pem: PEM text
 * @pem_len: its length
 * @error: a #GError, or %NULL
 *
 * Reads the first private key of @pem: PKCS#1 RSA, SEC1 EC or PKCS#8 with
 * either. RSA keys need 2048 to 16384 bits, EC keys the curve P-384.
 *
 * Returns: (transfer full): the key, or %NULL with a message that never
 *   quotes the key
 */
OheFhirKey *
ohe_fhir_key_new_from_pem (const gchar *pem, gsize pem_len, GError **error)
{
	g_autoptr (OheFhirKey) self = NULL;
	g_auto (OheFhirKeySecret) der = {NULL, 0, 0};
	OheFhirKeyPem kind = OHE_FHIR_KEY_PEM_PKCS8;
	OheFhirDer cursor;
	gboolean ok = FALSE;
	gcry_error_t rc;

	g_return_val_if_fail (pem != NULL, NULL);

	ohe_crypto_init ();
	if (!ohe_fhir_key_pem_decode (pem, pem_len, &kind, &der, error))
		return NULL;
	self = g_object_new (OHE_TYPE_FHIR_KEY, NULL);
	ohe_fhir_der_init (&cursor, der.data, der.len);
	switch (kind) {
	case OHE_FHIR_KEY_PEM_PKCS1:
		ok = ohe_fhir_key_load_rsa (self, &cursor, error);
		break;
	case OHE_FHIR_KEY_PEM_SEC1:
		ok = ohe_fhir_key_load_ec (self, &cursor, FALSE, error);
		break;
	case OHE_FHIR_KEY_PEM_PKCS8:
	default:
		ok = ohe_fhir_key_load_pkcs8 (self, &cursor, error);
		break;
	}
	if (!ok)
		return NULL;
	/* a key whose numbers do not belong together would sign garbage */
	rc = gcry_pk_testkey (self->sexp);
	if (rc != 0) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
			     "private key is inconsistent: %s", gcry_strerror (rc));
		return NULL;
	}
	return g_steal_pointer (&self);
}

/**
 * ohe_fhir_key_new_from_file:
 * @filename: a PEM file
 * @error: a #GError, or %NULL
 *
 * Returns: (transfer full): the key, or %NULL
 */
OheFhirKey *
ohe_fhir_key_new_from_file (const gchar *filename, GError **error)
{
	g_autoptr (GError) error_local = NULL;
	g_auto (OheFhirKeySecret) pem = {NULL, 0, 0};
	gchar *contents = NULL;
	gsize len = 0;

	g_return_val_if_fail (filename != NULL, NULL);

	if (!g_file_get_contents (filename, &contents, &len, &error_local)) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_NOT_FOUND, "cannot read: %s",
			     error_local->message);
		return NULL;
	}
	pem.data = (guint8 *)contents;
	pem.len = len;
	pem.alloc = len;
	if (len > OHE_FHIR_KEY_MAX_FILE_SIZE) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_INVALID_DATA,
			     OHE_FHIR_KEY_NOT_A_KEY ": larger than %u bytes",
			     (guint)OHE_FHIR_KEY_MAX_FILE_SIZE);
		return NULL;
	}
	return ohe_fhir_key_new_from_pem (contents, len, error);
}

OheFhirKeyType
ohe_fhir_key_get_key_type (OheFhirKey *self)
{
	g_return_val_if_fail (OHE_IS_FHIR_KEY (self), OHE_FHIR_KEY_TYPE_RSA);
	return self->key_type;
}

guint
ohe_fhir_key_get_bits (OheFhirKey *self)
{
	g_return_val_if_fail (OHE_IS_FHIR_KEY (self), 0);
	return self->bits;
}

/**
 * ohe_fhir_key_get_algorithm:
 * @self: an #OheFhirKey
 *
 * Returns: the JWS algorithm (RFC 7518) the key signs with, `RS384` or `ES384`
 */
const gchar *
ohe_fhir_key_get_algorithm (OheFhirKey *self)
{
	g_return_val_if_fail (OHE_IS_FHIR_KEY (self), NULL);
	return self->key_type == OHE_FHIR_KEY_TYPE_RSA ? "RS384" : "ES384";
}

/* writes the value @name of @sig big-endian, left-padded with zeros to exactly @len bytes */
static gboolean
ohe_fhir_key_put_mpi (gcry_sexp_t sig, const gchar *name, guint8 *out, gsize len, GError **error)
{
	g_auto (gcry_sexp_t) token = gcry_sexp_find_token (sig, name, 0);
	g_auto (gcry_mpi_t) mpi = NULL;
	gsize n_bytes;
	gcry_error_t rc;

	if (token != NULL)
		mpi = gcry_sexp_nth_mpi (token, 1, GCRYMPI_FMT_USG);
	if (mpi == NULL) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_FAILED, "signature value '%s' is missing",
			     name);
		return FALSE;
	}
	n_bytes = (gcry_mpi_get_nbits (mpi) + 7) / 8;
	if (n_bytes > len) {
		g_set_error (error, OHE_ERROR, OHE_ERROR_FAILED, "signature value '%s' is too long",
			     name);
		return FALSE;
	}
	memset (out, 0, len - n_bytes);
	if (n_bytes == 0)
		return TRUE;
	rc = gcry_mpi_print (GCRYMPI_FMT_USG, out + len - n_bytes, n_bytes, NULL, mpi);
	if (rc != 0)
		return ohe_fhir_key_set_gcry_error (error, rc, "cannot write the signature");
	return TRUE;
}

/**
 * ohe_fhir_key_sign:
 * @self: an #OheFhirKey
 * @data: the JWS signing input
 * @data_len: its length
 * @error: a #GError, or %NULL
 *
 * Signs SHA-384 of @data as JWS wants it (RFC 7518 §3.3, §3.4): RSASSA-PKCS1-v1_5
 * for RSA, and for P-384 ECDSA with deterministic nonces (RFC 6979) and the
 * signature as the 96 bytes r || s rather than DER.
 *
 * Returns: (transfer full): the signature, or %NULL
 */
GBytes *
ohe_fhir_key_sign (OheFhirKey *self, const guint8 *data, gsize data_len, GError **error)
{
	g_auto (gcry_sexp_t) hash = NULL;
	g_auto (gcry_sexp_t) sig = NULL;
	guint8 digest[48];
	guint8 *out;
	gsize out_len;
	gcry_error_t rc;

	g_return_val_if_fail (OHE_IS_FHIR_KEY (self), NULL);
	g_return_val_if_fail (data != NULL || data_len == 0, NULL);

	gcry_md_hash_buffer (GCRY_MD_SHA384, digest, data, data_len);
	rc = gcry_sexp_build (&hash, NULL,
			      self->key_type == OHE_FHIR_KEY_TYPE_RSA
				  ? "(data (flags pkcs1) (hash sha384 %b))"
				  : "(data (flags rfc6979) (hash sha384 %b))",
			      (int)sizeof (digest), digest);
	if (rc != 0) {
		ohe_fhir_key_set_gcry_error (error, rc, "cannot build the digest");
		return NULL;
	}
	rc = gcry_pk_sign (&sig, hash, self->sexp);
	if (rc != 0) {
		ohe_fhir_key_set_gcry_error (error, rc, "cannot sign");
		return NULL;
	}
	if (self->key_type == OHE_FHIR_KEY_TYPE_RSA) {
		out_len = (self->bits + 7) / 8;
		out = g_malloc (out_len);
		if (!ohe_fhir_key_put_mpi (sig, "s", out, out_len, error)) {
			g_free (out);
			return NULL;
		}
	} else {
		out_len = 2 * OHE_FHIR_KEY_P384_BYTES;
		out = g_malloc (out_len);
		if (!ohe_fhir_key_put_mpi (sig, "r", out, OHE_FHIR_KEY_P384_BYTES, error) ||
		    !ohe_fhir_key_put_mpi (sig, "s", out + OHE_FHIR_KEY_P384_BYTES,
					   OHE_FHIR_KEY_P384_BYTES, error)) {
			g_free (out);
			return NULL;
		}
	}
	return g_bytes_new_take (out, out_len);
}

static void
ohe_fhir_key_finalize (GObject *object)
{
	OheFhirKey *self = OHE_FHIR_KEY (object);
	g_clear_pointer (&self->sexp, gcry_sexp_release);
	G_OBJECT_CLASS (ohe_fhir_key_parent_class)->finalize (object);
}

static void
ohe_fhir_key_class_init (OheFhirKeyClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = ohe_fhir_key_finalize;
}

static void
ohe_fhir_key_init (OheFhirKey *self)
{
}
