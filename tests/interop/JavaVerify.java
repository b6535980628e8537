// JavaVerify MESSAGE CERT.pem
//
// Verifies the WS-Security signature of an AS4 (ebMS 3.0, SOAP 1.2) message
// with the JDK's own XML signature implementation (javax.xml.crypto.dsig),
// independently of swnode.  The key is always the public key of CERT.pem; the
// message's BinarySecurityToken and KeyInfo are never used.
//
// The signature must be the only ds:Signature, in Envelope/Header/wsse:Security,
// with exclusive C14N, rsa-sha256 or ecdsa-sha256, and exactly two references
// by wsu:Id: one to Envelope/Header/eb:Messaging and one to Envelope/Body, each
// with exclusive C14N as its only transform and SHA-256 as digest.
//
// Run as `java JavaVerify.java MESSAGE CERT.pem` (JDK 11+ source-file mode) or
// compile with javac.  Exit status: 0 valid, 1 invalid, 2 bad usage or
// unreadable input (including a document that is not an AS4 envelope).

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import javax.xml.XMLConstants;
import javax.xml.crypto.AlgorithmMethod;
import javax.xml.crypto.KeySelector;
import javax.xml.crypto.KeySelectorException;
import javax.xml.crypto.KeySelectorResult;
import javax.xml.crypto.XMLCryptoContext;
import javax.xml.crypto.dsig.CanonicalizationMethod;
import javax.xml.crypto.dsig.DigestMethod;
import javax.xml.crypto.dsig.Reference;
import javax.xml.crypto.dsig.SignedInfo;
import javax.xml.crypto.dsig.Transform;
import javax.xml.crypto.dsig.XMLSignature;
import javax.xml.crypto.dsig.XMLSignatureException;
import javax.xml.crypto.dsig.XMLSignatureFactory;
import javax.xml.crypto.dsig.dom.DOMValidateContext;
import javax.xml.crypto.dsig.keyinfo.KeyInfo;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;

import org.w3c.dom.Attr;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

public class JavaVerify {
    static final String ENV = "http://www.w3.org/2003/05/soap-envelope";
    static final String EB = "http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/";
    static final String WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
    static final String WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
    static final String DS = XMLSignature.XMLNS;
    static final String EXC_C14N = CanonicalizationMethod.EXCLUSIVE;
    static final String SHA256 = DigestMethod.SHA256;
    static final String RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
    static final String ECDSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256";

    /** Exit with a status and a message. */
    static final class Exit extends Exception {
        private static final long serialVersionUID = 1L;
        final int code;

        Exit(int code, String message) {
            super(message);
            this.code = code;
        }
    }

    static Exit invalid(String message) {
        return new Exit(1, "invalid: " + message);
    }

    static Exit unreadable(String message) {
        return new Exit(2, "JavaVerify: " + message);
    }

    /** Always the pinned key, whatever the KeyInfo says, if it fits the algorithm. */
    static final class PinnedKeySelector extends KeySelector {
        private final PublicKey key;

        PinnedKeySelector(PublicKey key) {
            this.key = key;
        }

        @Override
        public KeySelectorResult select(KeyInfo keyInfo, Purpose purpose, AlgorithmMethod method,
                XMLCryptoContext context) throws KeySelectorException {
            String alg = method.getAlgorithm();
            boolean fits = (RSA_SHA256.equals(alg) && "RSA".equals(key.getAlgorithm()))
                    || (ECDSA_SHA256.equals(alg) && "EC".equals(key.getAlgorithm()));
            if (!fits) {
                throw new KeySelectorException("the certificate's " + key.getAlgorithm()
                        + " key does not fit SignatureMethod " + alg);
            }
            return new KeySelectorResult() {
                @Override
                public Key getKey() {
                    return key;
                }
            };
        }
    }

    static List<Element> elementChildren(Node parent) {
        List<Element> out = new ArrayList<>();
        for (Node c = parent.getFirstChild(); c != null; c = c.getNextSibling()) {
            if (c.getNodeType() == Node.ELEMENT_NODE) {
                out.add((Element) c);
            }
        }
        return out;
    }

    static boolean is(Node node, String ns, String local) {
        return node != null && node.getNodeType() == Node.ELEMENT_NODE
                && ns.equals(node.getNamespaceURI()) && local.equals(node.getLocalName());
    }

    static Element onlyChild(Element parent, String ns, String local, String what, int code) throws Exit {
        Element found = null;
        int n = 0;
        for (Element c : elementChildren(parent)) {
            if (is(c, ns, local)) {
                found = c;
                n++;
            }
        }
        if (n != 1) {
            String m = n + " " + what + " elements where one is required";
            throw code == 2 ? unreadable("not an AS4 message: " + m) : invalid(m);
        }
        return found;
    }

    static Document parse(Path path) throws Exit {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature("http://xml.org/sax/features/external-general-entities", false);
            f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            f.setXIncludeAware(false);
            f.setExpandEntityReferences(false);
            f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            DocumentBuilder b = f.newDocumentBuilder();
            b.setErrorHandler(new org.xml.sax.ErrorHandler() {
                @Override
                public void warning(org.xml.sax.SAXParseException e) {
                }

                @Override
                public void error(org.xml.sax.SAXParseException e) throws SAXException {
                    throw e;
                }

                @Override
                public void fatalError(org.xml.sax.SAXParseException e) throws SAXException {
                    throw e;
                }
            });
            // The file's bytes as they are: no reformatting before verification.
            try (InputStream in = Files.newInputStream(path)) {
                return b.parse(in);
            }
        } catch (ParserConfigurationException e) {
            throw unreadable("XML parser: " + e.getMessage());
        } catch (SAXException e) {
            throw unreadable(path + ": not an acceptable XML document: " + e.getMessage());
        } catch (IOException e) {
            throw unreadable(path + ": cannot read: " + e);
        }
    }

    static PublicKey readKey(Path path) throws Exit {
        try (InputStream in = Files.newInputStream(path)) {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            X509Certificate cert = (X509Certificate) cf.generateCertificate(in);
            return cert.getPublicKey();
        } catch (IOException e) {
            throw unreadable(path + ": cannot read: " + e);
        } catch (CertificateException | ClassCastException e) {
            throw unreadable(path + ": not a PEM certificate: " + e.getMessage());
        }
    }

    static String describe(Node node, Element messaging, Element body) {
        if (node == messaging) {
            return "Envelope/Header/eb:Messaging";
        }
        if (node == body) {
            return "Envelope/Body";
        }
        return node == null ? "nothing" : "an element elsewhere";
    }

    static int run(String[] args) throws Exit {
        if (args.length != 2) {
            throw new Exit(2, "usage: java JavaVerify.java MESSAGE CERT.pem");
        }
        Path msgPath = Path.of(args[0]);
        Path certPath = Path.of(args[1]);
        PublicKey key = readKey(certPath);
        Document doc = parse(msgPath);

        // The envelope: Envelope(Header(Messaging, Security(Signature)), Body).
        Element envelope = doc.getDocumentElement();
        if (!is(envelope, ENV, "Envelope")) {
            throw unreadable(msgPath + ": not a SOAP 1.2 envelope");
        }
        List<Element> top = elementChildren(envelope);
        if (top.size() != 2 || !is(top.get(0), ENV, "Header") || !is(top.get(1), ENV, "Body")) {
            throw unreadable(msgPath + ": the envelope is not Header followed by Body");
        }
        Element header = top.get(0);
        Element body = top.get(1);
        Element messaging = onlyChild(header, EB, "Messaging", "eb:Messaging", 2);
        Element security = onlyChild(header, WSSE, "Security", "wsse:Security", 1);
        NodeList signatures = doc.getElementsByTagNameNS(DS, "Signature");
        if (signatures.getLength() != 1) {
            throw invalid(signatures.getLength() + " ds:Signature elements in the message");
        }
        Element signature = (Element) signatures.item(0);
        if (signature.getParentNode() != security) {
            throw invalid("ds:Signature is not in Envelope/Header/wsse:Security");
        }

        // wsu:Id attributes are IDs (the DOM does not know without a schema);
        // a value used twice would make a reference ambiguous.
        Map<String, Element> ids = new HashMap<>();
        NodeList all = doc.getElementsByTagNameNS("*", "*");
        for (int i = 0; i < all.getLength(); i++) {
            Element el = (Element) all.item(i);
            Attr id = el.getAttributeNodeNS(WSU, "Id");
            if (id == null) {
                continue;
            }
            if (ids.put(id.getValue(), el) != null) {
                throw invalid("wsu:Id '" + id.getValue() + "' is used more than once");
            }
            el.setIdAttributeNS(WSU, "Id", true);
        }
        // Other attributes that a DOM might take for IDs would resolve the same
        // fragment differently: refuse any that repeat a wsu:Id value.
        for (int i = 0; i < all.getLength(); i++) {
            NamedNodeMap attrs = all.item(i).getAttributes();
            for (int j = 0; j < attrs.getLength(); j++) {
                Attr a = (Attr) attrs.item(j);
                if (a.isId() && ids.get(a.getValue()) != a.getOwnerElement()) {
                    throw invalid("ID '" + a.getValue() + "' is defined by more than one attribute");
                }
            }
        }

        XMLSignatureFactory factory = XMLSignatureFactory.getInstance("DOM");
        DOMValidateContext ctx = new DOMValidateContext(new PinnedKeySelector(key), signature);
        ctx.setProperty("org.jcp.xml.dsig.secureValidation", Boolean.TRUE);
        XMLSignature sig;
        try {
            sig = factory.unmarshalXMLSignature(ctx);
        } catch (javax.xml.crypto.MarshalException e) {
            throw invalid("cannot read ds:Signature: " + e.getMessage());
        }

        // The profile.
        SignedInfo si = sig.getSignedInfo();
        String c14n = si.getCanonicalizationMethod().getAlgorithm();
        if (!EXC_C14N.equals(c14n)) {
            throw invalid("CanonicalizationMethod is " + c14n + ", not exclusive C14N");
        }
        String sigAlg = si.getSignatureMethod().getAlgorithm();
        if (!RSA_SHA256.equals(sigAlg) && !ECDSA_SHA256.equals(sigAlg)) {
            throw invalid("SignatureMethod " + sigAlg + " is neither rsa-sha256 nor ecdsa-sha256");
        }
        System.out.println("method     " + sigAlg + " with the " + key.getAlgorithm() + " key of " + certPath);
        @SuppressWarnings("unchecked")
        List<Reference> refs = si.getReferences();
        if (refs.size() != 2) {
            throw invalid(refs.size() + " references where exactly two are required");
        }

        // Each reference: #wsu:Id of Envelope/Header/eb:Messaging or Envelope/Body,
        // the very node (identity), each once.
        Map<Node, Boolean> covered = new IdentityHashMap<>();
        boolean placed = true;
        List<String> targets = new ArrayList<>();
        for (Reference ref : refs) {
            String uri = ref.getURI();
            String target;
            @SuppressWarnings("unchecked")
            List<Transform> transforms = ref.getTransforms();
            if (transforms.size() != 1 || !EXC_C14N.equals(transforms.get(0).getAlgorithm())) {
                throw invalid("reference " + uri + ": exclusive C14N must be the only transform");
            }
            if (!SHA256.equals(ref.getDigestMethod().getAlgorithm())) {
                throw invalid("reference " + uri + ": digest is not SHA-256");
            }
            if (uri == null || !uri.startsWith("#") || uri.length() < 2) {
                placed = false;
                target = "not a same-document #id reference";
            } else {
                String id = uri.substring(1);
                Element byId = doc.getElementById(id);
                if (byId == null || byId != ids.get(id)) {
                    placed = false;
                    target = "no element with this wsu:Id";
                } else {
                    target = describe(byId, messaging, body);
                    if (byId != messaging && byId != body) {
                        placed = false;
                    } else if (covered.put(byId, Boolean.TRUE) != null) {
                        placed = false;
                        target += " (twice)";
                    }
                }
            }
            targets.add(target);
        }
        if (covered.size() != 2) {
            placed = false;
        }

        boolean valid;
        boolean valueOk;
        try {
            valid = sig.validate(ctx);
            valueOk = sig.getSignatureValue().validate(ctx);
            for (int i = 0; i < refs.size(); i++) {
                Reference ref = refs.get(i);
                boolean ok = ref.validate(ctx);
                System.out.println("reference  " + ref.getURI() + " -> " + targets.get(i) + ": "
                        + (ok ? "digest matches" : "DIGEST DOES NOT MATCH"));
            }
        } catch (XMLSignatureException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw invalid("cannot validate: " + cause.getMessage());
        }
        if (!valueOk) {
            throw invalid("the SignatureValue does not verify with the key of " + certPath);
        }
        if (!valid) {
            throw invalid("a reference digest does not match");
        }
        if (!placed) {
            throw invalid("the references are not Envelope/Header/eb:Messaging and Envelope/Body");
        }
        System.out.println("valid");
        return 0;
    }

    public static void main(String[] args) {
        int code;
        try {
            code = run(args);
        } catch (Exit e) {
            (e.code == 1 ? System.out : System.err).println(e.getMessage());
            code = e.code;
        } catch (RuntimeException e) {
            System.err.println("JavaVerify: " + e);
            code = 2;
        }
        System.exit(code);
    }
}
