/* loss.c - values a round trip did not give back; see loss.h. */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlsave.h>

#include "base/escape.h"
#include "doc/loss.h"
#include "base/swn_limits.h"

#define LOSS_NS "urn:swnode:loss-report:1"
#define XSI_NS "http://www.w3.org/2001/XMLSchema-instance"

struct key {
	char *key;       /* "{ns}name/{ns}name/@{ns}name" NUL value */
	size_t len;      /* of the whole key, both parts */
	int used;
};

struct keys {
	struct key *v;
	size_t n, cap;
	int oom;
};

/* value, white space normalised, into a new string; NULL if empty. */
static char *normalised(const xmlChar *value)
{
	char *out = value ? strdup((const char *)value) : NULL;

	if (out && *swn_squeeze_space(out) == '\0') {
		free(out);
		out = NULL;
	}
	return out;
}

/* The unpositioned path of n (an element or attribute), appended to b. */
static int key_path(xmlNodePtr n, struct swn_buf *b, struct swn_err *err)
{
	if (n->parent && n->parent->type == XML_ELEMENT_NODE &&
	    key_path(n->parent, b, err) < 0)
		return -1;
	if (swn_buf_add(b, n->type == XML_ATTRIBUTE_NODE ? "/@{" : "/{", n->type == XML_ATTRIBUTE_NODE ? 3 : 2, err) < 0)
		return -1;
	if (n->ns && swn_buf_add(b, n->ns->href, strlen((const char *)n->ns->href), err) < 0)
		return -1;
	return swn_buf_add(b, "}", 1, err) < 0 ||
	       swn_buf_add(b, n->name, strlen((const char *)n->name), err) < 0 ? -1 : 0;
}

/* Calls fn for each value of the tree under n, in document order. */
typedef int (*leaf_fn)(void *ctx, xmlNodePtr at, const xmlChar *value, struct swn_err *err);

static int is_leaf(xmlNodePtr n)
{
	xmlNodePtr c;

	for (c = n->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			return 0;
	return 1;
}

static int skipped_attr(xmlAttrPtr a)
{
	return a->ns && strcmp((const char *)a->ns->href, XSI_NS) == 0 &&
	       (strcmp((const char *)a->name, "schemaLocation") == 0 ||
		strcmp((const char *)a->name, "noNamespaceSchemaLocation") == 0);
}

static int walk(xmlNodePtr n, leaf_fn fn, void *ctx, struct swn_err *err)
{
	for (; n; n = n->next) {
		xmlAttrPtr a;

		if (n->type != XML_ELEMENT_NODE)
			continue;
		for (a = n->properties; a; a = a->next) {
			xmlChar *v;
			int rc;

			if (skipped_attr(a))
				continue;
			v = xmlNodeGetContent((xmlNodePtr)a);
			rc = fn(ctx, (xmlNodePtr)a, v, err);
			xmlFree(v);
			if (rc < 0)
				return -1;
		}
		if (is_leaf(n)) {
			xmlChar *v = xmlNodeGetContent(n);
			int rc = fn(ctx, n, v, err);

			xmlFree(v);
			if (rc < 0)
				return -1;
		} else if (walk(n->children, fn, ctx, err) < 0) {
			return -1;
		}
	}
	return 0;
}

/* key = path NUL value, malloc'd. */
static char *make_key(xmlNodePtr at, const char *value, size_t *len, struct swn_err *err)
{
	struct swn_buf b;
	char *k;

	swn_buf_init(&b, 1 << 20);
	if (key_path(at, &b, err) < 0 || swn_buf_add(&b, "", 1, err) < 0 ||
	    swn_buf_add(&b, value, strlen(value), err) < 0) {
		swn_buf_free(&b);
		return NULL;
	}
	*len = b.len;
	if ((k = malloc(b.len + 1)) != NULL) {
		memcpy(k, b.data, b.len);
		k[b.len] = '\0';
	} else {
		swn_err_set(err, SWN_E_NOMEM, NULL, 0, "out of memory");
	}
	swn_buf_free(&b);
	return k;
}

static int add_key(void *ctx, xmlNodePtr at, const xmlChar *value, struct swn_err *err)
{
	struct keys *ks = ctx;
	char *v = normalised(value), *k;
	size_t len;

	if (v == NULL)
		return 0;
	k = make_key(at, v, &len, err);
	free(v);
	if (k == NULL)
		return -1;
	if (ks->n == ks->cap) {
		size_t cap = ks->cap ? ks->cap * 2 : 64;
		struct key *nv = realloc(ks->v, cap * sizeof *nv);

		if (nv == NULL) {
			free(k);
			return swn_err_set(err, SWN_E_NOMEM, NULL, 0, "out of memory");
		}
		ks->v = nv;
		ks->cap = cap;
	}
	ks->v[ks->n].key = k;
	ks->v[ks->n].len = len;
	ks->v[ks->n++].used = 0;
	return 0;
}

static int cmp_key(const void *a, const void *b)
{
	const struct key *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->key, y->key, n);

	return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* ---- the report ---- */

struct report {
	struct keys *back;
	xmlDocPtr doc;
	xmlNodePtr root, first_lost;
	xmlNsPtr ns;
	size_t lost;
};

/* "prefix:name" of an element or attribute as the document writes it. */
static void qname(xmlNodePtr n, char *out, size_t size)
{
	const char *prefix = n->ns && n->ns->prefix ? (const char *)n->ns->prefix : "";

	snprintf(out, size, "%s%s%s", prefix, *prefix ? ":" : "", (const char *)n->name);
}

/* Declares n's prefix in the report, once. */
static int declare(struct report *r, xmlNodePtr n)
{
	const char *prefix = n->ns && n->ns->prefix ? (const char *)n->ns->prefix : "";
	const char *uri = n->ns ? (const char *)n->ns->href : "";
	xmlNodePtr d, c;

	if (n->type == XML_ATTRIBUTE_NODE && !n->ns)
		return 0;
	for (c = r->root->children; c && c != r->first_lost; c = c->next) {
		xmlChar *p = xmlGetProp(c, BAD_CAST "prefix"), *u = xmlGetProp(c, BAD_CAST "uri");
		int same = p && u && strcmp((char *)p, prefix) == 0 && strcmp((char *)u, uri) == 0;

		xmlFree(p);
		xmlFree(u);
		if (same)
			return 0;
	}
	d = xmlNewDocNode(r->doc, r->ns, BAD_CAST "Namespace", NULL);
	if (d == NULL || !xmlNewProp(d, BAD_CAST "prefix", BAD_CAST prefix) ||
	    !xmlNewProp(d, BAD_CAST "uri", BAD_CAST uri)) {
		xmlFreeNode(d);
		return -1;
	}
	if (r->first_lost)
		xmlAddPrevSibling(r->first_lost, d);
	else
		xmlAddChild(r->root, d);
	return 0;
}

static int display_path(struct report *r, xmlNodePtr n, struct swn_buf *b, struct swn_err *err)
{
	char q[400];

	if (n->parent && n->parent->type == XML_ELEMENT_NODE &&
	    display_path(r, n->parent, b, err) < 0)
		return -1;
	if (declare(r, n) < 0)
		return swn_err_set(err, SWN_E_NOMEM, NULL, 0, "out of memory");
	qname(n, q, sizeof q);
	if (swn_buf_add(b, n->type == XML_ATTRIBUTE_NODE ? "/@" : "/", n->type == XML_ATTRIBUTE_NODE ? 2 : 1, err) < 0 ||
	    swn_buf_add(b, q, strlen(q), err) < 0)
		return -1;
	if (n->type == XML_ELEMENT_NODE) {
		xmlNodePtr s;
		long before = 0, same = 0;

		for (s = n->parent ? n->parent->children : NULL; s; s = s->next) {
			if (s->type != XML_ELEMENT_NODE || strcmp((const char *)s->name, (const char *)n->name) != 0 ||
			    (s->ns ? (n->ns ? strcmp((const char *)s->ns->href, (const char *)n->ns->href) : 1) : n->ns != NULL))
				continue;
			same++;
			if (s == n)
				before = same;
		}
		if (same > 1) {
			snprintf(q, sizeof q, "[%ld]", before);
			if (swn_buf_add(b, q, strlen(q), err) < 0)
				return -1;
		}
	}
	return 0;
}

static int check_leaf(void *ctx, xmlNodePtr at, const xmlChar *value, struct swn_err *err)
{
	struct report *r = ctx;
	struct key probe, *hit = NULL;
	char *v = normalised(value);
	struct swn_buf path;
	xmlNodePtr lost;
	size_t i, lo = 0, hi = r->back->n;

	if (v == NULL)
		return 0;
	if (!(probe.key = make_key(at, v, &probe.len, err))) {
		free(v);
		return -1;
	}
	/* The first equal key, then the first of them not used yet. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cmp_key(&r->back->v[mid], &probe) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; i < r->back->n && cmp_key(&r->back->v[i], &probe) == 0; i++)
		if (!r->back->v[i].used) {
			hit = &r->back->v[i];
			break;
		}
	free(probe.key);
	if (hit) {
		hit->used = 1;
		free(v);
		return 0;
	}
	/* Past SWN_MAX_LOSS_LISTED, counted, not listed: the report stays
	 * readable, and its cost bounded, however much a document loses. */
	if (r->lost >= SWN_MAX_LOSS_LISTED) {
		r->lost++;
		free(v);
		return 0;
	}
	swn_buf_init(&path, 1 << 16);
	if (display_path(r, at, &path, err) < 0 || swn_buf_add(&path, "", 1, err) < 0) {
		swn_buf_free(&path);
		free(v);
		return -1;
	}
	lost = xmlNewDocNode(r->doc, r->ns, BAD_CAST "Lost", NULL);
	if (lost == NULL || !xmlNewProp(lost, BAD_CAST "path", BAD_CAST path.data) ||
	    !xmlNewProp(lost, BAD_CAST "value", BAD_CAST v)) {
		xmlFreeNode(lost);
		swn_buf_free(&path);
		free(v);
		return swn_err_set(err, SWN_E_NOMEM, NULL, 0, "out of memory");
	}
	xmlAddChild(r->root, lost);
	if (r->first_lost == NULL)
		r->first_lost = lost;
	r->lost++;
	swn_buf_free(&path);
	free(v);
	return 0;
}

int swn_loss_compare(xmlDocPtr orig, xmlDocPtr back, const char *doctype,
		     struct swn_buf *report, size_t *lost, struct swn_err *err)
{
	struct keys ks = { NULL, 0, 0, 0 };
	struct report r = { &ks, NULL, NULL, NULL, NULL, 0 };
	xmlChar *text = NULL;
	char count[32], listed[32];
	int len = 0, rc = -1;
	size_t i;

	*lost = 0;
	if (walk(xmlDocGetRootElement(back), add_key, &ks, err) < 0)
		goto done;
	if (ks.n)
		qsort(ks.v, ks.n, sizeof *ks.v, cmp_key);
	if (!(r.doc = xmlNewDoc(BAD_CAST "1.0")) ||
	    !(r.root = xmlNewDocNode(r.doc, NULL, BAD_CAST "LossReport", NULL)) ||
	    !(r.ns = xmlNewNs(r.root, BAD_CAST LOSS_NS, NULL))) {
		xmlFreeNode(r.root);
		swn_err_set(err, SWN_E_NOMEM, NULL, 0, "out of memory");
		goto done;
	}
	xmlSetNs(r.root, r.ns);
	xmlDocSetRootElement(r.doc, r.root);
	if (walk(xmlDocGetRootElement(orig), check_leaf, &r, err) < 0)
		goto done;
	snprintf(count, sizeof count, "%zu", r.lost);
	snprintf(listed, sizeof listed, "%zu",
		 r.lost < SWN_MAX_LOSS_LISTED ? r.lost : (size_t)SWN_MAX_LOSS_LISTED);
	if (!xmlNewProp(r.root, BAD_CAST "doctype", BAD_CAST doctype) ||
	    !xmlNewProp(r.root, BAD_CAST "lost", BAD_CAST count) ||
	    !xmlNewProp(r.root, BAD_CAST "listed", BAD_CAST listed)) {
		swn_err_set(err, SWN_E_NOMEM, NULL, 0, "out of memory");
		goto done;
	}
	xmlDocDumpFormatMemoryEnc(r.doc, &text, &len, "UTF-8", 1);
	if (text == NULL) {
		swn_err_set(err, SWN_E_NOMEM, NULL, 0, "out of memory");
		goto done;
	}
	if (swn_buf_add(report, text, (size_t)len, err) < 0)
		goto done;
	*lost = r.lost;
	rc = 0;
done:
	xmlFree(text);
	xmlFreeDoc(r.doc);
	for (i = 0; i < ks.n; i++)
		free(ks.v[i].key);
	free(ks.v);
	return rc;
}
