/*
 * swn_limits.h - every hard limit swnode applies to input, in one place.
 *
 * A limit is a named constant so that a reader can see at a glance what the
 * node will refuse, and a test can aim just above it.  Anything read from a
 * file or the network is checked against one of these before it is
 * allocated or parsed.
 */
#ifndef SWN_SWN_LIMITS_H
#define SWN_SWN_LIMITS_H

/* Largest document or message swnode reads (domestic file, international
 * document, agreement, bundle).  A file above it is refused from its size
 * alone, before a byte is read. */
#define SWN_MAX_DOCUMENT_BYTES   (64u * 1024u * 1024u)

/* Configuration files written by operators: node.xml, agreements, bundles. */
#define SWN_MAX_CONFIG_BYTES     (1u * 1024u * 1024u)

/* Deepest element nesting accepted in any XML document. */
#define SWN_MAX_XML_DEPTH        128

/* Attributes (namespace declarations included) on one element.  The XML
 * parser compares each attribute with every earlier one, so an element
 * with 100,000 of them costs half a minute of CPU: the raw bytes are
 * checked against this limit before parsing. */
#define SWN_MAX_XML_ATTRIBUTES   256

/* Namespace declarations in scope at any element (on it and its
 * ancestors).  The parser and canonicalisation look prefixes up among them
 * at every element: a message with thousands in scope cost seconds to
 * parse and minutes to canonicalise.  An AS4 message with its payload
 * needs a few dozen at most. */
#define SWN_MAX_XML_NAMESPACES   64

/* Schema or mapping errors reported for one document before giving up. */
#define SWN_MAX_REPORTED_ERRORS  50
/* Values a loss report lists (loss.h); the count goes on past them. */
#define SWN_MAX_LOSS_LISTED      1000

/* A PEM certificate or key file. */
#define SWN_MAX_PEM_BYTES        (64u * 1024u)

/* Identifiers used in file names (agreement id). */
#define SWN_MAX_ID_LEN           64

/* Party ids and their types: 255 characters (the schemas say so), held in
 * buffers that fit 255 UTF-8 characters of up to four bytes. */
#define SWN_MAX_PARTY_ID_LEN     255
#define SWN_PARTY_BYTES          1024

/* The certificate subject's CN holds the party id and O the organisation:
 * X.509 allows 64 characters for each. */
#define SWN_MAX_CN_LEN           64

/* Refusals of one peer's requests recorded one by one in a minute, unless
 * its agreement says otherwise (limits/@maxRefusalsPerMinute): past it the
 * peer gets HTTP 429 and one entry a minute counts the rest. */
#define SWN_DEFAULT_REFUSALS_PER_MINUTE 30

/* Bytes of refused messages kept as evidence from one peer in a minute,
 * unless its agreement says otherwise (limits/@maxRefusedBytesPerMinute):
 * past it a refusal is recorded with the SHA-256 of the bytes, not the
 * bytes. */
#define SWN_DEFAULT_REFUSED_BYTES_PER_MINUTE (1024LL * 1024)

/* Endpoint URLs: 500 characters (the schemas say so). */
#define SWN_MAX_URL_LEN          500
#define SWN_URL_BYTES            2048

/* An AS4 MessageId, Service, Action, AgreementRef or ConversationId: 255
 * bytes and the NUL. */
#define SWN_AS4_ID_BYTES         256

/* ---- limits that belonged to one module, kept here with the rest ---- */

/* MIME payload parts a message may carry (eDelivery gateways are known to
 * stumble past about 30). */
#define SWN_MAX_PAYLOAD_PARTS  32

/* Attachments sent with one document: the other payload parts. */
#define SWN_MAX_ATTACHMENTS    (SWN_MAX_PAYLOAD_PARTS - 1)

/* A RECEIVED entry's reason for a message with MIME parts: its HTTP
 * Content-Type (at most SWN_SWA_MAX_CONTENT_TYPE) in base64, then each
 * part's words (under 640 bytes each).  A receipt's ledger commitment
 * carries it whole. */
#define SWN_SWA_MAX_CONTENT_TYPE 1024
#define SWN_SWA_REASON_BYTES (32 + 4 * SWN_SWA_MAX_CONTENT_TYPE / 3 + 8 + SWN_MAX_PAYLOAD_PARTS * 700)

/* References in one SignedInfo: eb:Messaging, soap:Body and each part. */
#define SWN_DSIG_MAX_REFS      (2 + SWN_MAX_PAYLOAD_PARTS)

/* An attachment of an XML media type is parsed to be canonicalised
 * (Attachment-Content-Signature-Transform): at most this size.  A DOM of
 * small elements costs tens of times its bytes (8 MB of <a/> took 295 MB
 * in a review's measurement), and a partner may send 32 such parts; larger
 * XML travels compressed (application/gzip is digested as octets,
 * streamed). */
#define SWN_MAX_XML_PART_BYTES (4u * 1024u * 1024u)

/* The canonical SignedInfo an Ed25519 signature is made over (EdDSA is
 * one-shot: the bytes are held, not streamed). */
#define SWN_DSIG_MAX_SIGNEDINFO_BYTES (64u * 1024u)

/* Prefixes in one InclusiveNamespaces PrefixList. */
#define SWN_DSIG_MAX_PREFIXES  16

/* A Reference URI as a report keeps it. */
#define SWN_DSIG_URI_BYTES     256

/* Hashes in one inclusion or consistency proof (a tree of 2^63 leaves needs 63). */
#define SWN_MERKLE_MAX_PROOF  64

/* A proof file (JSON). */
#define SWN_PROOF_MAX_BYTES (64u * 1024u)

/* A signed checkpoint note. */
#define SWN_NOTE_MAX 4096

/* A file path swnode builds or reads from configuration. */
#define SWN_PATH_MAX 1024

/* Signing certificates pinned by one agreement. */
#define SWN_MAX_PINS 8

/* Document types in one agreement. */
#define SWN_MAX_AGREEMENT_DOCS 64

/* Intervals in one retry schedule. */
#define SWN_MAX_RETRIES 50

/* The smallest request body the partner listener takes, whatever the agreements say. */
#define SWN_MIN_BODY_BYTES (64 * 1024)

/* How long GET /status may hold a reply (?wait=), seconds. */
#define SWN_LOCAL_MAX_WAIT_S 60

/* Held /status replies, all local API workers together. */
#define SWN_LOCAL_MAX_WAITERS 4096

/* Open local API connections (the default of serve --local-max-connections). */
#define SWN_LOCAL_MAX_CONNECTIONS 256

/* Delivery threads (serve --senders). */
#define SWN_DELIVERY_MAX_THREADS 256

/* Stopping a listener: each worker waits for its replies in flight to go
 * out, looking every SWN_DRAIN_TICK_MS ms, at most SWN_DRAIN_MAX_TICKS
 * times (10 s), then stops with what is left unanswered. */
#define SWN_DRAIN_TICK_MS 20
#define SWN_DRAIN_MAX_TICKS 500

/* Headers of one HTTP request, on either listener. */
#define SWN_MAX_HTTP_HEADERS_BYTES (16 * 1024)

/* The slowest transfer of a message body allowed for: a sender's upload
 * and a receiver's request deadline grow by a second for each of these
 * bytes (a gigabyte: about 17 minutes more). */
#define SWN_HTTP_MIN_RATE (1024u * 1024u)

/* The canonical bytes of one ledger entry (its fields are bounded). */
#define SWN_MAX_ENTRY_BYTES      (1u << 20)

/* A peer's answer about its ledger (checkpoint, consistency proof). */
#define SWN_MAX_PEER_LEDGER_REPLY_BYTES (1u << 20)

/* Documents one GET /inbox lists. */
#define SWN_MAX_INBOX_LIST       1000

/* The partner listener's defaults (serve's options of the same names):
 * seconds without a byte, to finish the TLS handshake, to send a request;
 * connections open at once, from one address, in the handshake, and in
 * the handshake from one address. */
#define SWN_DEFAULT_IDLE_TIMEOUT_S             30
#define SWN_DEFAULT_HANDSHAKE_TIMEOUT_S        10
#define SWN_DEFAULT_REQUEST_TIMEOUT_S          60
#define SWN_DEFAULT_MAX_CONNECTIONS            4096
#define SWN_DEFAULT_MAX_PER_ADDRESS            64
#define SWN_DEFAULT_MAX_HANDSHAKES             256
#define SWN_DEFAULT_MAX_HANDSHAKES_PER_ADDRESS 16

/* Addresses of pinned peers the listener remembers for their kept room:
 * the oldest is forgotten first, and each after 7 days without an
 * authenticated connection. */
#define SWN_CONN_KNOWN_ADDRESSES 4096
#define SWN_CONN_KNOWN_FOR_S     (7L * 86400)

/* Peers whose refusals are counted this minute, each on its own; more
 * share one overflow count. */
#define SWN_REFUSAL_SLOTS 64

/* Inbound messages handled at once, by (peer, MessageId); a further
 * message waits for a slot. */
#define SWN_INBOUND_BUSY_SLOTS 256

/* Agreements whose messages per minute are counted apart; more share
 * slots. */
#define SWN_INBOUND_RATE_SLOTS 128

/* Entries of spool/out refused for what they are (links, FIFOs) that are
 * logged by name at once; past this many, only their number. */
#define SWN_SPOOL_REFUSALS_NAMED 1024

/* ---- payload encryption (trust/cipher) ---- */

/* The largest payload (one MIME part) encrypted or decrypted with
 * AES-128-GCM, in plaintext bytes: 1 GiB.  The stream counts as it goes
 * and refuses the byte past it; GCM itself allows 64 GB under one IV. */
#define SWN_CIPHER_MAX_PAYLOAD_BYTES (1ULL << 30)

/* The largest key wrapped (kw-aes128) or transported (RSA-OAEP): an
 * AES-256 key is 32 bytes; a content key of the profiles is 16. */
#define SWN_CIPHER_MAX_KEY_BYTES 32

/* RSA keys used for key transport, in bits: below the minimum is weak,
 * above the maximum costs a peer's certificate too much of our CPU. */
#define SWN_RSA_OAEP_MIN_BITS 2048
#define SWN_RSA_OAEP_MAX_BITS 8192

/* An originator's public key as a DER SubjectPublicKeyInfo
 * (dsig11:DEREncodedKeyValue): X25519's is 44 bytes, P-256's 91. */
#define SWN_AGREE_SPKI_MAX_BYTES 256

/* HKDF's salt and info (dsig-more:HKDFParams Salt and Info, decoded). */
#define SWN_HKDF_MAX_SALT_BYTES 64
#define SWN_HKDF_MAX_INFO_BYTES 1024

/* ---- compression of payload parts (as4/gzip) ---- */

/* The largest payload part gzip gives out when it inflates, and takes in
 * when it compresses, in uncompressed bytes: the 1 GiB a part may hold
 * under encryption.  The reader refuses the byte past it before handing
 * it on; the writer refuses a larger file, which no swnode would take
 * back. */
#define SWN_GZIP_MAX_PAYLOAD_BYTES SWN_CIPHER_MAX_PAYLOAD_BYTES

/* Decompression bombs: a part may inflate to at most
 * SWN_GUNZIP_MAX_RATIO bytes per compressed byte read so far, plus
 * SWN_GUNZIP_RATIO_SLACK_BYTES, checked as it inflates (a bomb stops
 * where it crosses the line, not after the whole of it).  Deflate's
 * ceiling is about 1032:1 (a run of zeros comes out at 1029:1).  Real
 * XML payloads come out at 5 to 35:1 (the customs samples of tests/data
 * at 7 to 14; 5 MB of varied records at 33), so 200 leaves them six
 * times the room, while a bomb is stopped at a fifth of what it would
 * inflate to (200 of 1029), and what a partner makes this node write and
 * inflate is bounded by 200 times what it sent.  A payload of identical
 * records repeated (340:1 and more) is refused under it: a caller that
 * expects such payloads passes its own limits.  The slack lets a small part inflate to a
 * megabyte whatever its ratio, and covers a highly compressible start (a
 * long run of white space) before the ratio has ground to stand on. */
#define SWN_GUNZIP_MAX_RATIO         200
#define SWN_GUNZIP_RATIO_SLACK_BYTES (1ULL << 20)

/* A SOAP-with-Attachments message (as4/mime): parts in one message (the
 * root and its payloads), the header block of one part and its fields, the
 * bytes allowed before the first and after the last delimiter and as
 * transport padding after a boundary, parameters of one Content-Type, and
 * the length of a Content-ID.  The root part, the envelope, is read into
 * memory up to SWN_MAX_DOCUMENT_BYTES; payloads are never read whole. */
#define SWN_MIME_MAX_PARTS          (1 + SWN_MAX_PAYLOAD_PARTS)  /* the root and the payloads */
#define SWN_MIME_MAX_HEADER_BYTES   (8 * 1024)
#define SWN_MIME_MAX_HEADERS        32
#define SWN_MIME_MAX_PREAMBLE_BYTES (8 * 1024)
#define SWN_MIME_MAX_EPILOGUE_BYTES (8 * 1024)
#define SWN_MIME_MAX_PADDING_BYTES  64
#define SWN_MIME_MAX_PARAMS         16
#define SWN_MIME_MAX_ID_LEN         255

/* The window a body in a file is read through (memory, not an input
 * limit): it holds a whole header block and delimiter line. */
#define SWN_MIME_WINDOW_BYTES       (256 * 1024)

#endif
