#!/usr/bin/env node
// xmlcrypto-sign.js IN OUT KEY.pem CERT.pem [PREFIXLIST]
//
// With PREFIXLIST (e.g. "env eb"), each reference's exclusive C14N transform
// carries an InclusiveNamespaces PrefixList, as some access points write it.
//
// Re-signs an AS4 message written by swnode with xml-crypto: removes the
// wsse:BinarySecurityToken and ds:Signature from Envelope/Header/wsse:Security,
// then signs eb:Messaging and env:Body again, by their existing wsu:Id, with
// rsa-sha256, exclusive C14N (as CanonicalizationMethod and as the only
// transform of each reference) and SHA-256.  wsse:Security then holds a new
// BinarySecurityToken (CERT.pem) followed by ds:Signature, whose KeyInfo is a
// wsse:SecurityTokenReference to that token, the shape swnode writes.
//
// xml-crypto 6.x has no ECDSA: KEY.pem must be an RSA key.
// Exit status: 0 written, 1 the message cannot be signed, 2 bad usage or
// unreadable input.
//
// The packages of tests/interop/package.json must be reachable by require():
// run with NODE_PATH=DIR/node_modules after `npm install --prefix DIR`.
"use strict";

const fs = require("fs");
const crypto = require("crypto");

const as4dom = require("./as4dom.js");
const { NS, EXC_C14N, SHA256, RSA_SHA256, elementChildren, is } = as4dom;

const BASE64_BINARY =
  "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary";
const X509V3 = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3";

function usage(msg) {
  if (msg) process.stderr.write(`xmlcrypto-sign: ${msg}\n`);
  process.stderr.write("usage: xmlcrypto-sign.js IN OUT KEY.pem CERT.pem [PREFIXLIST]\n");
  process.exit(2);
}

function die(code, msg) {
  process.stderr.write(`xmlcrypto-sign: ${msg}\n`);
  process.exit(code);
}

const xmldom = as4dom.load("@xmldom/xmldom", (m) => die(2, m));
const { SignedXml } = as4dom.load("xml-crypto", (m) => die(2, m));

function onlyChild(parent, ns, local, what) {
  const r = as4dom.onlyChild(parent, ns, local, what);
  if (r.error) die(1, r.error);
  return r.node;
}

function readText(path, encoding) {
  try {
    return fs.readFileSync(path, encoding);
  } catch (e) {
    die(2, `${path}: cannot read: ${e.message}`);
  }
  return null;
}

function main(argv) {
  if (argv.length !== 4 && argv.length !== 5) usage();
  const [inPath, outPath, keyPath, certPath, prefixList] = argv;
  const xml = readText(inPath, "utf8");
  const keyPem = readText(keyPath, "latin1");
  const certPem = readText(certPath, "latin1");

  let privateKey, cert;
  try {
    privateKey = crypto.createPrivateKey(keyPem);
  } catch (e) {
    die(2, `${keyPath}: not a private key: ${e.message}`);
  }
  try {
    cert = new crypto.X509Certificate(certPem);
  } catch (e) {
    die(2, `${certPath}: not a PEM certificate: ${e.message}`);
  }
  if (privateKey.asymmetricKeyType !== "rsa") {
    die(2, `${keyPath}: a ${privateKey.asymmetricKeyType} key; xml-crypto 6.x signs with RSA only`);
  }
  if (!cert.checkPrivateKey(privateKey)) die(2, `${certPath} is not the certificate of ${keyPath}`);

  const parsed = as4dom.parse(xmldom, xml, inPath);
  if (parsed.error) die(2, parsed.error);
  const doc = parsed.doc;

  const envelope = doc.documentElement;
  if (!is(envelope, NS.env, "Envelope")) die(2, `${inPath}: not a SOAP 1.2 envelope`);
  const header = onlyChild(envelope, NS.env, "Header", "env:Header");
  const body = onlyChild(envelope, NS.env, "Body", "env:Body");
  const messaging = onlyChild(header, NS.eb, "Messaging", "eb:Messaging");
  const security = onlyChild(header, NS.wsse, "Security", "wsse:Security");
  for (const [el, what] of [[messaging, "eb:Messaging"], [body, "env:Body"]]) {
    if (!el.getAttributeNS(NS.wsu, "Id")) die(1, `${what} has no wsu:Id to refer to`);
  }

  // Out with the old token and signature.
  for (const c of elementChildren(security)) {
    if (is(c, NS.wsse, "BinarySecurityToken") || is(c, NS.ds, "Signature")) security.removeChild(c);
  }

  // In with a new token; the signature is appended after it by xml-crypto.
  const tokenId = `X509-${crypto.randomUUID()}`;
  const token = doc.createElementNS(NS.wsse, "wsse:BinarySecurityToken");
  token.setAttribute("EncodingType", BASE64_BINARY);
  token.setAttribute("ValueType", X509V3);
  token.setAttributeNS(NS.wsu, "wsu:Id", tokenId);
  token.appendChild(doc.createTextNode(cert.raw.toString("base64")));
  security.appendChild(token);

  const unsigned = new xmldom.XMLSerializer().serializeToString(doc);

  const sig = new SignedXml({
    idMode: "wssecurity", // find (and never invent) the wsu:Id of each target
    privateKey: keyPem,
    signatureAlgorithm: RSA_SHA256,
    canonicalizationAlgorithm: EXC_C14N,
    getKeyInfoContent: () =>
      `<wsse:SecurityTokenReference><wsse:Reference URI="#${tokenId}" ValueType="${X509V3}"/>` +
      "</wsse:SecurityTokenReference>",
  });
  for (const target of ["/env:Envelope/env:Header/eb:Messaging", "/env:Envelope/env:Body"]) {
    const ref = { xpath: target, transforms: [EXC_C14N], digestAlgorithm: SHA256 };
    if (prefixList) ref.inclusiveNamespacesPrefixList = prefixList.split(" ");
    sig.addReference(ref);
  }
  try {
    sig.computeSignature(unsigned, {
      prefix: "ds",
      location: {
        reference: `/*[local-name(.)='Envelope' and namespace-uri(.)='${NS.env}']` +
          `/*[local-name(.)='Header' and namespace-uri(.)='${NS.env}']` +
          `/*[local-name(.)='Security' and namespace-uri(.)='${NS.wsse}']`,
        action: "append",
      },
      // The prefixes of the reference XPaths and of the KeyInfo content; all
      // are declared on the Envelope, so the signature does not redeclare them.
      existingPrefixes: { env: NS.env, eb: NS.eb, wsse: NS.wsse, wsu: NS.wsu },
    });
  } catch (e) {
    die(1, `xml-crypto could not sign: ${e.message}`);
  }

  // The references must have kept the ids the message had.
  const signatureXml = sig.getSignatureXml();
  for (const el of [messaging, body]) {
    const id = el.getAttributeNS(NS.wsu, "Id");
    if (!signatureXml.includes(`URI="#${id}"`)) die(1, `no reference to the existing wsu:Id ${id}`);
  }

  try {
    fs.writeFileSync(outPath, sig.getSignedXml());
  } catch (e) {
    die(2, `${outPath}: cannot write: ${e.message}`);
  }
  process.stderr.write(`xmlcrypto-sign: re-signed ${inPath} with rsa-sha256 into ${outPath}\n`);
  process.exit(0);
}

main(process.argv.slice(2));
