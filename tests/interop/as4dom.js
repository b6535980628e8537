// as4dom.js - what xmlcrypto-sign.js and xmlcrypto-verify.js share: the
// AS4 namespaces and algorithm URIs, loading the npm packages, a strict
// xmldom parse, and element helpers.
//
// Every function that can fail returns { error } (or calls fail) rather than
// exiting, so each script keeps its own exit codes.
"use strict";

const NS = {
  env: "http://www.w3.org/2003/05/soap-envelope",
  eb: "http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/",
  wsse: "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd",
  wsu: "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd",
  ds: "http://www.w3.org/2000/09/xmldsig#",
};
const EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#";
const SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256";
const RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
const ELEMENT_NODE = 1;

// require(name), or fail(message) naming how to install the packages.
function load(name, fail) {
  try {
    return require(name);
  } catch (e) {
    fail(`cannot load ${name} (${e.code || e.message}); install tests/interop/package.json ` +
      "with npm install --prefix DIR and run with NODE_PATH=DIR/node_modules");
  }
  return null;
}

// XML text of file PATH to a document: { doc } or { error }.  Any parse error
// or a document type declaration is refused.
function parse(xmldom, xml, path) {
  const errors = [];
  const doc = new xmldom.DOMParser({
    errorHandler: {
      warning: () => {},
      error: (m) => errors.push(m),
      fatalError: (m) => errors.push(m),
    },
  }).parseFromString(xml, "text/xml");
  if (errors.length > 0 || !doc || !doc.documentElement) {
    return { error: `${path}: not well-formed XML: ${errors[0] || "no document element"}` };
  }
  if (doc.doctype) return { error: `${path}: a document type declaration is not allowed` };
  return { doc };
}

function elementChildren(node) {
  const out = [];
  for (let c = node.firstChild; c; c = c.nextSibling) {
    if (c.nodeType === ELEMENT_NODE) out.push(c);
  }
  return out;
}

function is(node, ns, local) {
  return node != null && node.nodeType === ELEMENT_NODE &&
    node.namespaceURI === ns && node.localName === local;
}

// The one child of PARENT named {ns}local: { node } or { error }.
function onlyChild(parent, ns, local, what) {
  const found = elementChildren(parent).filter((c) => is(c, ns, local));
  if (found.length !== 1) return { error: `${found.length} ${what} elements where one is required` };
  return { node: found[0] };
}

module.exports = { NS, EXC_C14N, SHA256, RSA_SHA256, load, parse, elementChildren, is, onlyChild };
