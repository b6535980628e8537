/*
 * fuzz_as4.c - a message as a peer sends it: the safe XML parse with the
 * node's options, the AS4 structure checks, the WS-Security verification
 * against the pinned certificate of the committed peer (so the seed
 * messages verify and mutations reach every check after it), a receipt's
 * ledger commitment, and the receipt built for a user message.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>

#include <libxml/tree.h>

#include "as4/as4.h"
#include "fuzz.h"
#include "as4/wssec.h"
#include "xml/xmlsafe.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_setup();
	(void)fuzz_peer_signing();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct swn_as4_msg m;
	static struct swn_commitment c;
	struct swn_wssec_report report;
	struct swn_err err;
	xmlDocPtr doc, receipt;

	swn_err_clear(&err);
	doc = swn_xml_parse((const char *)data, size, "fuzz", &err);
	if (doc == NULL)
		return 0;
	if (swn_as4_parse(doc, "fuzz", &m, &err) == 0) {
		(void)swn_as4_signed_info(&m);
		if (swn_wssec_verify(doc, &m, fuzz_peer_signing(), NULL, &report, &err) == 0 &&
		    m.kind == SWN_AS4_USER_MESSAGE) {
			receipt = swn_as4_build_receipt(&m, "SG-NTP", NULL, &err);
			xmlFreeDoc(receipt);
		}
		if (m.kind == SWN_AS4_RECEIPT)
			(void)swn_as4_receipt_commitment(&m, &c);
	}
	if (getenv("FUZZ_VERBOSE"))
		fprintf(stderr, "fuzz: %s\n", err.msg[0] ? err.msg : "valid");
	xmlFreeDoc(doc);
	return 0;
}
