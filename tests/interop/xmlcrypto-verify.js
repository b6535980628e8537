#!/usr/bin/env node
// xmlcrypto-verify.js MESSAGE CERT.pem
//
// Verifies the WS-Security signature of an AS4 (ebMS 3.0, SOAP 1.2) message
// with xml-crypto, independently of swnode.  Only the public key of CERT.pem
// is used: the message's own BinarySecurityToken / KeyInfo never is.
//
// The signature must have exactly two references, by wsu:Id, one to
// Envelope/Header/eb:Messaging and one to Envelope/Body, each with exclusive
// C14N as its only transform and SHA-256 as digest.  Each reference is
// resolved the way xml-crypto resolved it and must be the very node at that
// place in the envelope (no signature wrapping).
//
// SignatureMethod rsa-sha256 is xml-crypto's own.  xml-crypto 6.x has no
// ECDSA: for ecdsa-sha256 a small SignatureAlgorithm class is registered (the
// documented extension point) that checks SignatureValue as the XMLDSig raw
// r||s form, 64 bytes for P-256, with Node's crypto; canonicalization,
// reference resolution and digests stay xml-crypto's.
//
// Exit status: 0 valid, 1 invalid, 2 bad usage or unreadable input (including
// a document that is not an AS4 envelope).
//
// The packages of tests/interop/package.json must be reachable by require():
// run with NODE_PATH=DIR/node_modules after `npm install --prefix DIR`.
"use strict";

const fs = require("fs");
const crypto = require("crypto");

const as4dom = require("./as4dom.js");
const { NS, EXC_C14N, SHA256, RSA_SHA256, elementChildren, is, onlyChild } = as4dom;
const ECDSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256";

function usage(msg) {
  if (msg) process.stderr.write(`xmlcrypto-verify: ${msg}\n`);
  process.stderr.write("usage: xmlcrypto-verify.js MESSAGE CERT.pem\n");
  process.exit(2);
}

function unreadable(msg) {
  process.stderr.write(`xmlcrypto-verify: ${msg}\n`);
  process.exit(2);
}

function invalid(msg) {
  process.stdout.write(`invalid: ${msg}\n`);
  process.exit(1);
}

const xmldom = as4dom.load("@xmldom/xmldom", unreadable);
const xpath = as4dom.load("xpath", unreadable);
const { SignedXml } = as4dom.load("xml-crypto", unreadable);

// ecdsa-sha256 for xml-crypto: verification only, P-256, raw r||s.
class EcdsaSha256 {
  getAlgorithmName() {
    return ECDSA_SHA256;
  }

  getSignature() {
    throw new Error("this class only verifies");
  }

  verifySignature(material, key, signatureValue, callback) {
    const raw = Buffer.from(signatureValue, "base64");
    const ok = raw.length === 64 && /^[A-Za-z0-9+/]+={0,2}$/.test(signatureValue.replace(/\s/g, "")) &&
      crypto.verify("sha256", Buffer.from(material, "utf8"), { key, dsaEncoding: "ieee-p1363" }, raw);
    if (callback) {
      callback(null, ok);
      return undefined;
    }
    return ok;
  }
}

function describe(node, messaging, body) {
  if (node === messaging) return "Envelope/Header/eb:Messaging";
  if (node === body) return "Envelope/Body";
  return "an element elsewhere";
}

function main(argv) {
  if (argv.length !== 2) usage();
  const [msgPath, certPath] = argv;

  let xml, certPem;
  try {
    xml = fs.readFileSync(msgPath, "utf8");
  } catch (e) {
    unreadable(`${msgPath}: cannot read: ${e.message}`);
  }
  try {
    certPem = fs.readFileSync(certPath, "latin1");
  } catch (e) {
    unreadable(`${certPath}: cannot read: ${e.message}`);
  }

  // Only the certificate's public key is handed to xml-crypto.
  let publicKeyPem, keyType, curve;
  try {
    const cert = new crypto.X509Certificate(certPem);
    keyType = cert.publicKey.asymmetricKeyType;
    curve = (cert.publicKey.asymmetricKeyDetails || {}).namedCurve;
    publicKeyPem = cert.publicKey.export({ type: "spki", format: "pem" });
  } catch (e) {
    unreadable(`${certPath}: not a PEM certificate: ${e.message}`);
  }

  const parsed = as4dom.parse(xmldom, xml, msgPath);
  if (parsed.error) unreadable(parsed.error);
  const doc = parsed.doc;

  // The envelope: Envelope(Header(Messaging, Security(Signature)), Body).
  const envelope = doc.documentElement;
  if (!is(envelope, NS.env, "Envelope")) unreadable(`${msgPath}: not a SOAP 1.2 envelope`);
  const top = elementChildren(envelope);
  if (top.length !== 2 || !is(top[0], NS.env, "Header") || !is(top[1], NS.env, "Body")) {
    unreadable(`${msgPath}: the envelope is not Header followed by Body`);
  }
  const [header, body] = top;
  const m = onlyChild(header, NS.eb, "Messaging", "eb:Messaging");
  if (m.error) unreadable(`${msgPath}: not an AS4 message: ${m.error}`);
  const messaging = m.node;

  const s = onlyChild(header, NS.wsse, "Security", "wsse:Security");
  if (s.error) invalid(s.error);
  const allSignatures = xpath.select(
    `//*[local-name(.)='Signature' and namespace-uri(.)='${NS.ds}']`, doc);
  if (allSignatures.length !== 1) invalid(`${allSignatures.length} ds:Signature elements in the message`);
  const signature = allSignatures[0];
  if (signature.parentNode !== s.node) invalid("ds:Signature is not in Envelope/Header/wsse:Security");

  // The profile: what the SignedInfo must say before we let xml-crypto at it.
  const si = onlyChild(signature, NS.ds, "SignedInfo", "ds:SignedInfo");
  if (si.error) invalid(si.error);
  const signedInfo = si.node;
  const cm = onlyChild(signedInfo, NS.ds, "CanonicalizationMethod", "ds:CanonicalizationMethod");
  if (cm.error) invalid(cm.error);
  if (cm.node.getAttribute("Algorithm") !== EXC_C14N) {
    invalid(`CanonicalizationMethod is ${cm.node.getAttribute("Algorithm")}, not exclusive C14N`);
  }
  const sm = onlyChild(signedInfo, NS.ds, "SignatureMethod", "ds:SignatureMethod");
  if (sm.error) invalid(sm.error);
  const sigAlg = sm.node.getAttribute("Algorithm");
  // Node verifies "RSA-SHA256" with whatever key it is given (an EC key
  // included), so the key type is checked against the method here.
  if (sigAlg === RSA_SHA256) {
    if (keyType !== "rsa") invalid(`${certPath} holds a key of type ${keyType}, the message is signed with rsa-sha256`);
  } else if (sigAlg === ECDSA_SHA256) {
    if (keyType !== "ec" || curve !== "prime256v1") {
      invalid(`${certPath} holds a key of type ${keyType}${curve ? ` (${curve})` : ""}, ` +
        "the message is signed with ecdsa-sha256 (P-256)");
    }
  } else {
    invalid(`SignatureMethod ${sigAlg} is neither rsa-sha256 nor ecdsa-sha256`);
  }
  process.stdout.write(`method     ${sigAlg} with the ${keyType} key of ${certPath}` +
    `${sigAlg === ECDSA_SHA256 ? " (ecdsa-sha256 by this script's class, raw r||s)" : ""}\n`);

  const refNodes = elementChildren(signedInfo).filter((c) => is(c, NS.ds, "Reference"));
  if (refNodes.length !== 2) invalid(`${refNodes.length} references where exactly two are required`);
  for (const r of refNodes) {
    const uri = r.getAttribute("URI");
    const t = onlyChild(r, NS.ds, "Transforms", "ds:Transforms");
    if (t.error) invalid(`reference ${uri}: ${t.error}`);
    const transforms = elementChildren(t.node);
    if (transforms.length !== 1 || !is(transforms[0], NS.ds, "Transform") ||
        transforms[0].getAttribute("Algorithm") !== EXC_C14N || elementChildren(transforms[0]).length !== 0) {
      invalid(`reference ${uri}: exclusive C14N must be the only transform`);
    }
    const dm = onlyChild(r, NS.ds, "DigestMethod", "ds:DigestMethod");
    if (dm.error) invalid(`reference ${uri}: ${dm.error}`);
    if (dm.node.getAttribute("Algorithm") !== SHA256) invalid(`reference ${uri}: digest is not SHA-256`);
  }

  // xml-crypto matches an ID attribute by its local name in any namespace
  // (//*[@*[local-name(.)='Id']='...']), so "Id" is how it names wsu:Id.  Its
  // default list is Id, ID, id; the `idAttribute` option only adds a name
  // in front, and adding "Id" again would make every element count twice and
  // fail as a duplicate ID.  Use Id alone; the wsu namespace is checked below.
  const sig = new SignedXml({
    publicCert: publicKeyPem,
    getCertFromKeyInfo: () => null, // never the message's own token
  });
  sig.idAttributes = ["Id"];
  sig.SignatureAlgorithms[ECDSA_SHA256] = EcdsaSha256;
  sig.loadSignature(signature);

  let ok = false, error = null;
  try {
    ok = sig.checkSignature(xml) === true;
  } catch (e) {
    error = e.message;
  }

  // Which node did each reference resolve to?  xml-crypto resolved it by the
  // XPath it recorded (ref.xpath) on its own parse of the same text; evaluate
  // that XPath on ours and require one node, at the expected place.
  const refs = sig.getReferences();
  if (refs.length !== 2) invalid(`xml-crypto loaded ${refs.length} references`);
  let failedBefore = false;
  const seen = new Set();
  let placed = true;
  for (const ref of refs) {
    const uri = ref.uri || "";
    let target = "unresolved";
    const id = uri.startsWith("#") ? uri.substring(1) : null;
    if (id === null || id === "" || id.includes("'")) {
      placed = false;
      target = "not a same-document #id reference";
    } else {
      const xp = `//*[@*[local-name(.)='Id']='${id}']`;
      if (ref.xpath && ref.xpath !== xp) {
        placed = false;
        target = `resolved by an unexpected XPath ${ref.xpath}`;
      } else {
        const nodes = xpath.select(xp, doc);
        if (nodes.length !== 1) {
          placed = false;
          target = `${nodes.length} elements with this Id`;
        } else {
          const node = nodes[0];
          target = describe(node, messaging, body);
          if (node !== messaging && node !== body) placed = false;
          else if (seen.has(node)) { placed = false; target += " (twice)"; }
          seen.add(node);
          if (node.getAttributeNS(NS.wsu, "Id") !== id) {
            placed = false;
            target += " (by an Id that is not wsu:Id)";
          }
        }
      }
    }
    let result;
    if (ref.validationError) {
      result = `FAILED: ${ref.validationError.message}`;
      failedBefore = true;
    } else if (failedBefore) {
      result = "not checked (an earlier reference failed)";
    } else {
      result = "digest matches";
    }
    process.stdout.write(`reference  ${uri} -> ${target}: ${result}\n`);
  }
  if (seen.size !== 2) placed = false;

  if (!ok) invalid(error || "xml-crypto could not validate all references");
  if (!placed) invalid("the references are not Envelope/Header/eb:Messaging and Envelope/Body");
  process.stdout.write("valid\n");
  process.exit(0);
}

main(process.argv.slice(2));
