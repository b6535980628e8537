/*
 * loss.h - what mapping a document to the domestic form left out.
 *
 * A domestic form holds less than an international standard allows.  What
 * it cannot hold must not vanish in silence: the loss report lists it.
 * The report is computed, not declared by the maps: the received document
 * is mapped to the domestic form and back again, and every value of the
 * original that the round trip does not give back is lost.  So a map
 * cannot forget to declare a loss, and a new doctype gets its reports with
 * no code.
 *
 * A value is the text of an element without child elements, or an
 * attribute's value (namespace declarations, xsi:schemaLocation and
 * xsi:noNamespaceSchemaLocation aside), white space normalised; empty
 * values carry nothing and are not counted.  Values are compared as a
 * multiset keyed by the path without positions (namespace URI and local
 * name of each step): a value the original holds n times at a path and the
 * round trip m < n times is lost n - m times, reported at the original's
 * last such places.
 *
 * The report (urn:swnode:loss-report:1, schemas/loss-report.xsd):
 *   <LossReport doctype="ID" lost="N" listed="L">
 *     <Namespace prefix="md" uri="..."/>...      every prefix a path uses
 *     <Lost path="/md:MetaData/Declaration/AcceptanceDateTime/p1:DateTimeString"
 *           value="20190702110757Z"/>...         in document order
 *   </LossReport>
 * Path steps are written with the document's own prefixes, and carry a
 * position [n] where the element has siblings of its name.  The first
 * SWN_MAX_LOSS_LISTED values lost are listed (L of them); N counts all.
 */
#ifndef SWN_LOSS_H
#define SWN_LOSS_H

#include <stddef.h>

#include <libxml/tree.h>

#include "base/buf.h"
#include "base/err.h"

/* Compare orig with back (orig mapped to domestic and back), write the
 * report for doctype into report (appended) and the count into *lost.
 * 0, or -1 with err (out of memory, report over its buffer's limit). */
int swn_loss_compare(xmlDocPtr orig, xmlDocPtr back, const char *doctype,
		     struct swn_buf *report, size_t *lost, struct swn_err *err);

#endif
