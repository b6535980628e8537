package swnode.interop;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * PEM files as openssl writes them (PKCS#8 private keys, X.509 certificates) turned into the
 * in-memory key stores and TLS contexts the peer needs. Nothing is read from or written to a
 * Java key store file.
 */
final class Keys
{
  /** Every in-memory key entry uses this password; the stores never leave the process. */
  static final char [] PASSWORD = "swnode-test".toCharArray ();

  private Keys ()
  {}

  private static byte [] pemBlock (final Path file, final String label) throws IOException
  {
    final String text = Files.readString (file, StandardCharsets.US_ASCII);
    final String begin = "-----BEGIN " + label + "-----";
    final String end = "-----END " + label + "-----";
    final int b = text.indexOf (begin);
    final int e = b < 0 ? -1 : text.indexOf (end, b);
    if (b < 0 || e < 0)
      throw new IOException (file + ": no '" + begin + "' block (want unencrypted PKCS#8 / X.509 PEM)");
    final String body = text.substring (b + begin.length (), e).replaceAll ("\\s", "");
    return Base64.getDecoder ().decode (body);
  }

  static X509Certificate cert (final Path file) throws IOException, GeneralSecurityException
  {
    final CertificateFactory cf = CertificateFactory.getInstance ("X.509");
    return (X509Certificate) cf.generateCertificate (new ByteArrayInputStream (pemBlock (file, "CERTIFICATE")));
  }

  /**
   * A PKCS#8 private key. The algorithm is taken from the matching certificate's public key
   * (RSA, EC, EdDSA, XDH), falling back to trying each.
   */
  static PrivateKey privateKey (final Path file, final X509Certificate matching) throws IOException,
                                                                                 GeneralSecurityException
  {
    final PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec (pemBlock (file, "PRIVATE KEY"));
    GeneralSecurityException last = null;
    final String first = matching == null ? "RSA" : matching.getPublicKey ().getAlgorithm ();
    for (final String alg : new String [] { first, "RSA", "EC", "Ed25519", "X25519" })
    {
      try
      {
        return KeyFactory.getInstance (alg).generatePrivate (spec);
      }
      catch (final GeneralSecurityException ex)
      {
        last = ex;
      }
    }
    throw new GeneralSecurityException (file + ": not a PKCS#8 RSA, EC, Ed25519 or X25519 key", last);
  }

  /** A key store holding one private key entry under the given alias. */
  static KeyStore keyStore (final String alias, final Path keyFile, final Path certFile) throws IOException,
                                                                                          GeneralSecurityException
  {
    final X509Certificate c = cert (certFile);
    final PrivateKey k = privateKey (keyFile, c);
    final KeyStore ks = KeyStore.getInstance ("PKCS12");
    ks.load (null, null);
    ks.setKeyEntry (alias, k, PASSWORD, new X509Certificate [] { c });
    return ks;
  }

  /** A trust store holding exactly the given certificates. */
  static KeyStore trustStore (final X509Certificate... certs) throws IOException, GeneralSecurityException
  {
    final KeyStore ts = KeyStore.getInstance ("PKCS12");
    ts.load (null, null);
    int i = 0;
    for (final X509Certificate c : certs)
      ts.setCertificateEntry ("trusted-" + (i++), c);
    return ts;
  }

  /**
   * TLS 1.2/1.3 context with our key and certificate that trusts only the peer's TLS certificate
   * (pinned: a self-signed certificate is its own trust anchor).
   */
  static SSLContext tls (final Path keyFile, final Path certFile, final Path peerCertFile) throws IOException,
                                                                                            GeneralSecurityException
  {
    final KeyManagerFactory kmf = KeyManagerFactory.getInstance (KeyManagerFactory.getDefaultAlgorithm ());
    kmf.init (keyStore ("tls", keyFile, certFile), PASSWORD);
    final TrustManagerFactory tmf = TrustManagerFactory.getInstance (TrustManagerFactory.getDefaultAlgorithm ());
    tmf.init (trustStore (cert (peerCertFile)));
    final SSLContext ctx = SSLContext.getInstance ("TLS");
    ctx.init (kmf.getKeyManagers (), tmf.getTrustManagers (), null);
    return ctx;
  }
}
